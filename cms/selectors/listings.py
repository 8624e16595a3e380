"""The catalogue's lists: videos, courses and bundles filtered, searched and ordered; categories;
the videos of a shopper's library. Rows are ``values()`` of the served versions (``served``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import Case, F, IntegerField, Q, QuerySet, When

from cms.models import BundlePage, Category, CoursePage, LibraryIndexPage, VideoPage, frontend_path
from cms.selectors.served import (
    BUNDLE_FIELDS,
    COURSE_FIELDS,
    VIDEO_FIELDS,
    keys_for_page_ids,
    live,
    served,
)

# Free items (no price) count as the cheapest.
ORDERINGS = {
    "title": ("title", "path"),
    "-title": ("-title", "path"),
    "price": (F("price").asc(nulls_first=True), "path"),
    "-price": (F("price").desc(nulls_last=True), "path"),
    "published": ("first_published_at", "path"),
    "-published": ("-first_published_at", "path"),
    "duration": ("duration_seconds", "path"),
    "-duration": ("-duration_seconds", "path"),
    "library": ("path",),
}


@dataclass(frozen=True)
class CatalogFilters:
    category: str | None = None
    level: str | None = None
    access: str | None = None  # free | purchase | subscription
    q: str | None = None
    course: str | None = None  # a course's slug: its lessons
    ordering: str | None = None


def _search_ids(model, query: str) -> list[int]:
    """Ids of live pages matching ``query`` (title, summary, description), best first."""
    return [page.pk for page in live(model).search(query, order_by_relevance=True)[:1000]]


def _ordered(queryset: QuerySet, ordering: str | None, relevance: list[int] | None) -> QuerySet:
    if ordering:
        return queryset.order_by(*ORDERINGS[ordering])
    if relevance:
        rank = Case(
            *(When(pk=pk, then=index) for index, pk in enumerate(relevance)), output_field=IntegerField()
        )
        return queryset.order_by(rank, "path")
    return queryset.order_by("path")


def _filtered(model, locale: str, filters: CatalogFilters) -> QuerySet:
    queryset = served(live(model), locale)
    if filters.category:
        queryset = queryset.filter(category__slug=filters.category)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.access == "free":
        queryset = queryset.filter(Q(price__isnull=True) | Q(price=0))
    elif filters.access == "purchase":
        queryset = queryset.filter(price__gt=0)
    elif filters.access == "subscription":
        queryset = queryset.filter(included_in_subscription=True)
    if filters.course:
        queryset = queryset.filter(translation_key__in=course_lesson_keys(filters.course))
    relevance = None
    if filters.q:
        relevance = _search_ids(model, filters.q)
        queryset = queryset.filter(pk__in=relevance)
    return _ordered(queryset, filters.ordering, relevance)


def videos_for_catalog(*, locale: str, filters: CatalogFilters) -> QuerySet:
    return _filtered(VideoPage, locale, filters).values(*VIDEO_FIELDS)


def courses_for_catalog(*, locale: str, filters: CatalogFilters) -> QuerySet:
    return _filtered(CoursePage, locale, filters).values(*COURSE_FIELDS)


def bundles_for_catalog(*, locale: str, filters: CatalogFilters) -> QuerySet:
    return _filtered(BundlePage, locale, filters).values(*BUNDLE_FIELDS)


def categories_for_catalog(*, locale: str) -> QuerySet:
    return served(Category.objects.all(), locale).values(
        "translation_key", "slug", "name", "description", "locale__language_code"
    )


def category_exists(slug: str) -> bool:
    return Category.objects.filter(slug=slug).exists()


def course_lesson_keys(course_slug: str) -> list[UUID]:
    """Translation keys of a course's lessons, found by the course's slug in any locale."""
    course = live(CoursePage).filter(slug=course_slug).only("sections").first()
    if course is None:
        return []
    ids = course.lesson_ids()
    keys = keys_for_page_ids(ids)
    return [keys[pk] for pk in ids if pk in keys]


def category_translations(keys: Iterable[UUID]) -> dict[UUID, dict[str, str]]:
    """Where each category is listed on the Astro site, per locale: the library filtered by it."""
    libraries = dict(
        (language, frontend_path(url_path, language))
        for language, url_path in live(LibraryIndexPage).values_list("locale__language_code", "url_path")
    )
    translations: dict[UUID, dict[str, str]] = {}
    rows = Category.objects.filter(translation_key__in=set(keys)).values_list(
        "translation_key", "locale__language_code", "slug"
    )
    for key, language, slug in rows:
        if language in libraries:
            translations.setdefault(key, {})[language] = f"{libraries[language]}?category={slug}"
    return translations


def videos_by_keys(keys: Iterable[UUID], *, locale: str) -> QuerySet:
    """The served versions of the live videos with these keys, alphabetically (a shopper's library)."""
    return (
        served(live(VideoPage), locale)
        .filter(translation_key__in=set(keys))
        .order_by("title", "path")
        .values(*VIDEO_FIELDS)
    )


def single_prices_total(prices: Iterable[Decimal | None]) -> Decimal:
    return sum((price for price in prices if price), Decimal("0.00"))
