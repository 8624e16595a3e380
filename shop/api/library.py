"""``GET /api/v1/me/library/``: everything the shopper may watch through what they bought, were
given or subscribed to, each video with what gives it and how far it was watched.

Free videos are not listed (the catalogue has them; anyone may watch them). The videos come in
the catalogue's item shape, in the requested locale with German as the fallback, plus ``sources``
and ``progress``; the courses and bundles owned come alongside. A constant number of queries
however large the library: the grants, the subscription, one query per kind of catalogue row,
and the watch progress of the page's videos and of the courses' lessons.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import PersonalApi
from cms import selectors as catalog
from cms.api import items
from cms.models import BundlePage, CoursePage, frontend_path
from core.api import ERROR
from core.locale import resolve_locale
from core.pagination import PageNumberPagination
from media_pipeline.selectors import CourseProgress, ProgressSummary, course_progress_for, progress_for
from shop.access import selectors as access
from shop.api.serializers import LibraryQuerySerializer, LibrarySerializer
from shop.models import Grant


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


class LibraryApi(PersonalApi):
    @extend_schema(
        operation_id="me_library",
        parameters=[LibraryQuerySerializer],
        responses={200: LibrarySerializer, 400: ERROR, 401: ERROR},
        description="The videos the caller may watch through purchases (on their own, in a course, "
        "in a bundle) and staff grants, alphabetically and paginated, each with what gives it; "
        "and the courses and bundles they own. A subscriber's library also lists every video included "
        "in the subscription (source `subscription`) while the subscription gives access. "
        "Titles in `?locale=` (else Accept-Language, else "
        "de), German where no translation exists (`locale` says which was served). Free videos "
        "are not listed. A video's `progress` is null until the player reports some; a course's "
        "counts its completed lessons and names the next one.",
    )
    def get(self, request: Request) -> Response:
        LibraryQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        locale = resolve_locale(request)
        library = access.library_for(request.user)
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            catalog.videos_by_keys(library.videos, locale=locale), request, view=self
        )
        courses = catalog.served_by_key(CoursePage, library.courses, locale, catalog.COURSE_FIELDS)
        bundles = catalog.served_by_key(BundlePage, library.bundles, locale, catalog.BUNDLE_FIELDS)
        context = items.Context.for_rows([*rows, *courses.values(), *bundles.values()])
        watched = progress_for(request.user, [row["translation_key"] for row in rows])
        lesson_keys = catalog.keys_for_page_ids(
            pk for row in courses.values() for pk in catalog.lesson_ids(row)
        )
        course_progress = course_progress_for(
            request.user,
            {
                key: [lesson_keys[pk] for pk in catalog.lesson_ids(row) if pk in lesson_keys]
                for key, row in courses.items()
            },
        )
        titles = {
            row["translation_key"]: row["title"] for row in (*rows, *courses.values(), *bundles.values())
        }
        results = [
            {
                **items.video_item(row, context),
                "sources": [_source(source, titles) for source in library.videos[row["translation_key"]]],
                "progress": _video_progress(watched.get(row["translation_key"])),
            }
            for row in rows
        ]
        response = paginator.get_paginated_response(results)
        response.data["courses"] = [
            {
                **_item_ref(row, "course", context),
                "progress": _course_progress(course_progress[row["translation_key"]]),
            }
            for row in _by_title(courses)
        ]
        response.data["bundles"] = [_item_ref(row, "bundle", context) for row in _by_title(bundles)]
        return response


urlpatterns = [path("me/library/", LibraryApi.as_view(), name="me-library")]
