"""One item's page: the served row found by its slug, and the rows its detail shows beside it
(a video's courses, bundles and related videos; a course's lessons by section; a bundle's items)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Case, When

from cms.models import BundlePage, CoursePage, VideoPage
from cms.selectors.references import bundle_item_ids, lesson_ids, list_block_values, referenced_ids
from cms.selectors.served import (
    BUNDLE_FIELDS,
    COURSE_FIELDS,
    VIDEO_FIELDS,
    keys_for_page_ids,
    live,
    served,
    served_by_key,
)


def page_by_slug(model, *, slug: str, locale: str, extra: Sequence[str] = ("description",)) -> dict | None:
    """The served version of the live page with ``slug`` in any locale, preferring ``locale``'s.

    Editors may translate slugs, so the English slug and the German one both find the item.
    """
    fields = {VideoPage: VIDEO_FIELDS, CoursePage: COURSE_FIELDS, BundlePage: BUNDLE_FIELDS}[model]
    keys = list(
        live(model)
        .filter(slug=slug)
        .order_by(Case(When(locale__language_code=locale, then=0), default=1))
        .values_list("translation_key", flat=True)[:1]
    )
    if not keys:
        return None
    return served(live(model), locale).filter(translation_key=keys[0]).values(*fields, *extra).first()


def containing(model, video_key: UUID, locale: str) -> list[dict]:
    """Served courses or bundles (``model``) that hold the video with ``video_key``.

    Courses and bundles are few; reading their block lists beats a join through JSON.
    """
    fields = COURSE_FIELDS if model is CoursePage else BUNDLE_FIELDS
    holders = list(served(live(model), locale).values(*fields))
    page_ids = {pk for holder in holders for pk in referenced_ids(holder)}
    keys = keys_for_page_ids(sorted(page_ids))
    return [holder for holder in holders if video_key in {keys.get(pk) for pk in referenced_ids(holder)}]


def related_videos(row: dict[str, Any], locale: str, limit: int = 4) -> list[dict]:
    """Other videos of the same category (else the same level), newest first."""
    queryset = served(live(VideoPage), locale).exclude(translation_key=row["translation_key"])
    if row.get("category__slug"):
        queryset = queryset.filter(category__slug=row["category__slug"])
    else:
        queryset = queryset.filter(level=row["level"])
    return list(queryset.order_by("-first_published_at", "path").values(*VIDEO_FIELDS)[:limit])


@dataclass(frozen=True)
class VideoDetail:
    video: dict
    courses: list[dict]  # the served courses holding it
    bundles: list[dict]  # the served bundles holding it
    related: list[dict]  # other videos, see related_videos()


@dataclass(frozen=True)
class CourseDetail:
    course: dict
    lessons: list[dict]  # every served lesson, once
    sections: list[tuple[str, list[dict]]]  # each section's title and its served lessons, in order


@dataclass(frozen=True)
class BundleDetail:
    bundle: dict
    contents: list[dict]  # every served video and course in the bundle, once
    items: list[tuple[str, dict]]  # ("video" | "course", row) in the bundle's order


def video_detail(*, slug: str, locale: str) -> VideoDetail | None:
    """The served video with ``slug`` and the courses, bundles and videos its page shows."""
    video = page_by_slug(VideoPage, slug=slug, locale=locale, extra=("description", "chapters", "video"))
    if video is None:
        return None
    return VideoDetail(
        video=video,
        courses=containing(CoursePage, video["translation_key"], locale),
        bundles=containing(BundlePage, video["translation_key"], locale),
        related=related_videos(video, locale),
    )


def course_detail(*, slug: str, locale: str) -> CourseDetail | None:
    """The served course with ``slug`` and its served lessons, section by section."""
    course = page_by_slug(CoursePage, slug=slug, locale=locale)
    if course is None:
        return None
    keys = keys_for_page_ids(lesson_ids(course))
    lessons = served_by_key(VideoPage, keys.values(), locale, VIDEO_FIELDS)
    sections = [
        (
            section["value"]["title"],
            [
                lessons[keys[pk]]
                for pk in list_block_values(section["value"]["lessons"])
                if pk in keys and keys[pk] in lessons
            ],
        )
        for section in course["sections"].raw_data
    ]
    return CourseDetail(course=course, lessons=list(lessons.values()), sections=sections)


def bundle_detail(*, slug: str, locale: str) -> BundleDetail | None:
    """The served bundle with ``slug`` and its served videos and courses, in the bundle's order."""
    bundle = page_by_slug(BundlePage, slug=slug, locale=locale)
    if bundle is None:
        return None
    keys = keys_for_page_ids(bundle_item_ids(bundle))
    videos = served_by_key(VideoPage, keys.values(), locale, VIDEO_FIELDS)
    courses = served_by_key(CoursePage, keys.values(), locale, COURSE_FIELDS)
    items: list[tuple[str, dict]] = []
    for block in bundle["items"].raw_data:
        key = keys.get(block["value"])
        if key in videos:
            items.append(("video", videos[key]))
        elif key in courses:
            items.append(("course", courses[key]))
    return BundleDetail(bundle=bundle, contents=[*videos.values(), *courses.values()], items=items)
