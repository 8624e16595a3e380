"""The shopper's library page (``GET /api/v1/me/library/``), assembled: everything they may watch
through what they bought, were given or subscribed to, each video with what gives it and how far
it was watched, and the courses and bundles they own.

Free videos are not listed (the catalogue has them; anyone may watch them). The videos come in
the catalogue's item shape, in the requested locale with German as the fallback, plus ``sources``
and ``progress``. A constant number of queries however large the library: the grants, the
subscription, one query per kind of catalogue row, and the watch progress of the page's videos
and of the courses' lessons. The shop owns the library; the catalogue (``cms``) and the watch
progress (``media_pipeline``) are read from the floors below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from cms.api import items
from cms.models import BundlePage, CoursePage, frontend_path
from cms.selectors.listings import videos_by_keys
from cms.selectors.references import lesson_ids
from cms.selectors.served import BUNDLE_FIELDS, COURSE_FIELDS, keys_for_page_ids, served_by_key
from media_pipeline.selectors import CourseProgress, ProgressSummary, course_progress_for, progress_for
from shop.access import selectors as access
from shop.models import Grant


@dataclass(frozen=True)
class LibraryPage:
    videos: list[dict[str, Any]]  # this page of the videos, in the catalogue's item shape
    courses: list[dict[str, Any]]  # all the courses owned, by title
    bundles: list[dict[str, Any]]  # all the bundles owned, by title


def _source(source: access.LibrarySource, titles: dict[UUID, str]) -> dict[str, Any]:
    if source.kind == access.SUBSCRIPTION:
        return {"type": "subscription", "id": None, "item_type": None, "title": None}
    if source.kind == Grant.Source.STAFF:
        kind = "staff"
    else:
        kind = "purchase" if source.item_kind == "video" else source.item_kind
    return {
        "type": kind,
        "id": str(source.item_key),
        "item_type": source.item_kind,
        "title": titles.get(source.item_key),
    }


def _item_ref(row: dict[str, Any], kind: str, context: items.Context) -> dict[str, Any]:
    language = row["locale__language_code"]
    return {
        "id": str(row["translation_key"]),
        "type": kind,
        "slug": row["slug"],
        "title": row["title"],
        "thumbnail": context.thumbnails.get(row["thumbnail_id"]),
        "url_path": frontend_path(row["url_path"], language),
        "locale": language,
        "translations": context.translations.get(row["translation_key"], {}),
    }


def _video_progress(summary: ProgressSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {
        "percent": summary.percent,
        "completed": summary.completed,
        "resume_at_seconds": round(summary.resume_at_seconds, 1),
        "watched_seconds": round(summary.watched_seconds, 1),
    }


def _course_progress(progress: CourseProgress) -> dict[str, Any]:
    return {
        "completed_lessons": progress.completed_lessons,
        "total_lessons": progress.total_lessons,
        "percent": progress.percent,
        "completed": progress.completed,
        "next_lesson": str(progress.next_lesson) if progress.next_lesson else None,
    }


def _by_title(rows: dict[UUID, dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows.values(), key=lambda row: (row["title"].casefold(), str(row["translation_key"])))


def _course_refs(user, courses: dict[UUID, dict[str, Any]], context: items.Context) -> list[dict[str, Any]]:
    lesson_keys = keys_for_page_ids(pk for row in courses.values() for pk in lesson_ids(row))
    course_progress = course_progress_for(
        user,
        {
            key: [lesson_keys[pk] for pk in lesson_ids(row) if pk in lesson_keys]
            for key, row in courses.items()
        },
    )
    return [
        {
            **_item_ref(row, "course", context),
            "progress": _course_progress(course_progress[row["translation_key"]]),
        }
        for row in _by_title(courses)
    ]


def library_page(user, *, locale: str, paginate: Callable[[QuerySet], list[dict[str, Any]]]) -> LibraryPage:
    """``user``'s library in ``locale``: the page of videos ``paginate`` picks from all of them
    (alphabetically), each with its sources and progress; the courses and bundles owned."""
    library = access.library_for(user)
    rows = paginate(videos_by_keys(library.videos, locale=locale))
    courses = served_by_key(CoursePage, library.courses, locale, COURSE_FIELDS)
    bundles = served_by_key(BundlePage, library.bundles, locale, BUNDLE_FIELDS)
    context = items.Context.for_rows([*rows, *courses.values(), *bundles.values()])
    watched = progress_for(user, [row["translation_key"] for row in rows])
    course_refs = _course_refs(user, courses, context)
    titles = {row["translation_key"]: row["title"] for row in (*rows, *courses.values(), *bundles.values())}
    videos = [
        {
            **items.video_item(row, context),
            "sources": [_source(source, titles) for source in library.videos[row["translation_key"]]],
            "progress": _video_progress(watched.get(row["translation_key"])),
        }
        for row in rows
    ]
    bundle_refs = [_item_ref(row, "bundle", context) for row in _by_title(bundles)]
    return LibraryPage(videos=videos, courses=course_refs, bundles=bundle_refs)
