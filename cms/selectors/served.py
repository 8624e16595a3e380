"""Which version of each catalogue item a locale is served, the columns read, and rows by key.

A request names a locale. What it is served: every live item in that locale, and the German
source of every item not (yet) translated into it, marked ``locale: "de"``. Lists are read
with ``values()`` rather than page instances: a page model is heavy, and a catalogue list
needs a dozen columns of each row. Every read of the catalogue stays in a constant number of
queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from uuid import UUID

from django.db.models import Case, Q, QuerySet, When
from wagtail.models import Page

from cms.catalog_cache import catalog_cached
from cms.models import CoursePage, VideoPage, frontend_path

SOURCE_LOCALE = "de"

# Columns every catalogue item shares, then each type's own.
ITEM_FIELDS = (
    "id",
    "translation_key",
    "slug",
    "title",
    "summary",
    "thumbnail_id",
    "price",
    "included_in_subscription",
    "url_path",
    "locale__language_code",
    "first_published_at",
)
CATEGORY_FIELDS = ("category__translation_key", "category__slug", "category__name")
VIDEO_FIELDS = (*ITEM_FIELDS, *CATEGORY_FIELDS, "duration_seconds", "level", "free_preview")
COURSE_FIELDS = (*ITEM_FIELDS, *CATEGORY_FIELDS, "level", "sections")
BUNDLE_FIELDS = (*ITEM_FIELDS, "items")


def served(queryset: QuerySet, locale: str) -> QuerySet:
    """Items in ``locale``, and the German source of those without a translation into it.

    Which German items lack a translation changes only when editors publish, so it is worked out
    once per catalogue version (usually none) instead of by a subquery in every read. Callers
    pass the unfiltered base queryset (live pages, all categories): it keys that cached answer.
    """
    in_locale = Q(locale__language_code=locale)
    if locale == SOURCE_LOCALE:
        return queryset.filter(in_locale)
    fallback_ids = catalog_cached(
        f"untranslated:{queryset.model._meta.label_lower}:{locale}",
        lambda: list(
            queryset.filter(locale__language_code=SOURCE_LOCALE)
            .exclude(translation_key__in=queryset.filter(in_locale).values("translation_key"))
            .values_list("pk", flat=True)
        ),
    )
    return queryset.filter(in_locale | Q(pk__in=fallback_ids)) if fallback_ids else queryset.filter(in_locale)


def live(model) -> QuerySet:
    return model.objects.live()


def keys_for_page_ids(ids: Iterable[int]) -> dict[int, UUID]:
    """``{page_id: translation_key}`` of the pages that exist, in one query."""
    return dict(Page.objects.filter(pk__in=set(ids)).values_list("pk", "translation_key"))


def served_by_key(model, keys: Iterable[UUID], locale: str, fields: Sequence[str]) -> dict[UUID, dict]:
    """``{translation_key: row}`` of the served versions of the given pages."""
    keys = set(keys)
    if not keys:
        return {}
    rows = served(live(model), locale).filter(translation_key__in=keys).values(*fields)
    return {row["translation_key"]: row for row in rows}


def durations_by_id(ids: Iterable[int]) -> dict[int, int]:
    """``{video page id: seconds}`` of the given videos (a course's lessons), in one query."""
    return dict(VideoPage.objects.filter(pk__in=ids).values_list("pk", "duration_seconds"))


def prices_by_id(ids: Iterable[int]) -> dict[int, Decimal | None]:
    """``{page id: price}`` of the given videos and courses (a bundle's items), in two queries."""
    ids = set(ids)
    prices: dict[int, Decimal | None] = {}
    for model in (VideoPage, CoursePage):
        prices.update(model.objects.filter(pk__in=ids).values_list("pk", "price"))
    return prices


def translations_for(keys: Iterable[UUID]) -> dict[UUID, dict[str, str]]:
    """``{translation_key: {"de": "/de/...", "en": "/en/..."}}`` of every live page, in one query."""
    translations: dict[UUID, dict[str, str]] = {}
    rows = (
        Page.objects.live()
        .filter(translation_key__in=set(keys))
        .values_list("translation_key", "locale__language_code", "url_path")
    )
    for key, language, url_path in rows:
        translations.setdefault(key, {})[language] = frontend_path(url_path, language)
    return translations


def titles_by_key(keys: Iterable[UUID], *, locale: str) -> dict[UUID, str]:
    """``{translation_key: title}`` in ``locale`` where a version exists, else the German one."""
    titles: dict[UUID, str] = {}
    rows = (
        Page.objects.filter(translation_key__in=set(keys))
        .order_by(
            Case(
                When(locale__language_code=locale, then=0),
                When(locale__language_code=SOURCE_LOCALE, then=1),
                default=2,
            )
        )
        .values_list("translation_key", "title")
    )
    for key, title in rows:
        titles.setdefault(key, title)
    return titles
