"""Catalogue rows (from ``cms.selectors``) as API items, and the detail pages built of them.

Plain functions over ``values()`` rows: a list of 50 items is built in well under a millisecond.
``cms.api.serializers`` describes the same shapes for the OpenAPI schema, and a test holds the
two together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from cms.images import thumbnails_for
from cms.models import frontend_path
from cms.selectors.detail import BundleDetail, CourseDetail, VideoDetail
from cms.selectors.listings import category_translations, single_prices_total
from cms.selectors.references import bundle_item_ids, lesson_ids
from cms.selectors.served import durations_by_id, prices_by_id, translations_for
from core.money import money
from media_pipeline.playback import preview_playlist_url


@dataclass
class Context:
    """What the items of one response need from other tables, read once for all of them."""

    thumbnails: dict[int, dict] = field(default_factory=dict)
    translations: dict[UUID, dict[str, str]] = field(default_factory=dict)
    durations: dict[int, int] = field(default_factory=dict)  # video page id -> seconds
    prices: dict[int, Decimal | None] = field(default_factory=dict)  # page id -> price

    @classmethod
    def for_rows(cls, rows: Iterable[dict], *, lessons: bool = False, bundle_items: bool = False) -> Context:
        rows = list(rows)
        context = cls(
            thumbnails=thumbnails_for(row["thumbnail_id"] for row in rows),
            translations=translations_for(row["translation_key"] for row in rows),
        )
        if lessons:
            context.durations = durations_by_id(
                {pk for row in rows if "sections" in row for pk in lesson_ids(row)}
            )
        if bundle_items:
            context.prices = prices_by_id(
                {pk for row in rows if "items" in row for pk in bundle_item_ids(row)}
            )
        return context


def _base(row: dict[str, Any], context: Context) -> dict[str, Any]:
    language = row["locale__language_code"]
    price = row["price"]
    return {
        "id": str(row["translation_key"]),
        "slug": row["slug"],
        "title": row["title"],
        "summary": row["summary"],
        "thumbnail": context.thumbnails.get(row["thumbnail_id"]),
        "price": money(price) if price else None,
        "is_free": not price,
        "included_in_subscription": row["included_in_subscription"],
        "url_path": frontend_path(row["url_path"], language),
        "locale": language,
        "translations": context.translations.get(row["translation_key"], {}),
    }


def _category(row: dict[str, Any]) -> dict[str, str] | None:
    if row["category__slug"] is None:
        return None
    return {
        "id": str(row["category__translation_key"]),
        "slug": row["category__slug"],
        "name": row["category__name"],
    }


def video_item(row: dict[str, Any], context: Context) -> dict[str, Any]:
    return {
        **_base(row, context),
        "duration_seconds": row["duration_seconds"],
        "category": _category(row),
        "level": row["level"],
        "has_preview": row["free_preview"],
    }


def course_item(row: dict[str, Any], context: Context) -> dict[str, Any]:
    lessons = lesson_ids(row)
    return {
        **_base(row, context),
        "category": _category(row),
        "level": row["level"],
        "lesson_count": len(lessons),
        "duration_seconds": sum(context.durations.get(pk, 0) for pk in lessons),
    }


def bundle_item(row: dict[str, Any], context: Context) -> dict[str, Any]:
    ids = bundle_item_ids(row)
    value = single_prices_total(context.prices.get(pk) for pk in ids)
    price = row["price"] or Decimal("0.00")
    return {
        **_base(row, context),
        "item_count": len(ids),
        "value": money(value),
        "saving": money(max(value - price, Decimal("0.00"))),
    }


def category_item(row: dict[str, Any], translations: dict[UUID, dict[str, str]]) -> dict[str, Any]:
    return {
        "id": str(row["translation_key"]),
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "locale": row["locale__language_code"],
        "translations": translations.get(row["translation_key"], {}),
    }


def category_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of categories as API items, with where each is listed per locale (one query)."""
    translations = category_translations(row["translation_key"] for row in rows)
    return [category_item(row, translations) for row in rows]


def _description(row: dict) -> str:
    return str(row["description"])


def _preview_url(row: dict) -> str | None:
    """The free preview's playlist where the editor turned it on and a video is uploaded. The URL
    is stable (it serves whichever run is published), so the cached answer stays right; until
    processing is done it answers 409 ``video_not_ready``."""
    if not (row["free_preview"] and row["video"]):
        return None
    return preview_playlist_url(row["translation_key"])


def video_detail_item(detail: VideoDetail) -> dict[str, Any]:
    video = detail.video
    context = Context.for_rows(
        [video, *detail.courses, *detail.bundles, *detail.related], lessons=True, bundle_items=True
    )
    return {
        **video_item(video, context),
        "description": _description(video),
        "chapters": [block["value"] for block in video["chapters"].raw_data],
        "preview_url": _preview_url(video),
        "courses": [course_item(row, context) for row in detail.courses],
        "bundles": [bundle_item(row, context) for row in detail.bundles],
        "related": [video_item(row, context) for row in detail.related],
    }


def course_detail_item(detail: CourseDetail) -> dict[str, Any]:
    course = detail.course
    context = Context.for_rows([course, *detail.lessons], lessons=True)
    sections = [
        {"title": title, "lessons": [video_item(row, context) for row in lessons]}
        for title, lessons in detail.sections
    ]
    return {**course_item(course, context), "description": _description(course), "sections": sections}


def bundle_detail_item(detail: BundleDetail) -> dict[str, Any]:
    bundle = detail.bundle
    context = Context.for_rows([bundle, *detail.contents], lessons=True, bundle_items=True)
    build = {"video": video_item, "course": course_item}
    entries = [{"type": kind, "item": build[kind](row, context)} for kind, row in detail.items]
    return {**bundle_item(bundle, context), "description": _description(bundle), "items": entries}
