"""Reads of the catalogue for the API, in a constant number of queries.

A request names a locale. What it is served: every live item in that locale, and the German
source of every item not (yet) translated into it, marked ``locale: "de"``. Lists are read
with ``values()`` rather than page instances: a page model is heavy, and a catalogue list
needs a dozen columns of each row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Case, F, IntegerField, Q, QuerySet, When
from wagtail.models import Page

from cms.catalog_cache import catalog_cached
from cms.models import BundlePage, Category, CoursePage, LibraryIndexPage, VideoPage, frontend_path

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


def _live(model) -> QuerySet:
    return model.objects.live()


def _search_ids(model, query: str) -> list[int]:
    """Ids of live pages matching ``query`` (title, summary, description), best first."""
    return [page.pk for page in _live(model).search(query, order_by_relevance=True)[:1000]]


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
    queryset = served(_live(model), locale)
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


def page_by_slug(model, *, slug: str, locale: str, extra: Sequence[str] = ("description",)) -> dict | None:
    """The served version of the live page with ``slug`` in any locale, preferring ``locale``'s.

    Editors may translate slugs, so the English slug and the German one both find the item.
    """
    fields = {VideoPage: VIDEO_FIELDS, CoursePage: COURSE_FIELDS, BundlePage: BUNDLE_FIELDS}[model]
    keys = list(
        _live(model)
        .filter(slug=slug)
        .order_by(Case(When(locale__language_code=locale, then=0), default=1))
        .values_list("translation_key", flat=True)[:1]
    )
    if not keys:
        return None
    return served(_live(model), locale).filter(translation_key=keys[0]).values(*fields, *extra).first()


def course_lesson_keys(course_slug: str) -> list[UUID]:
    """Translation keys of a course's lessons, found by the course's slug in any locale."""
    course = _live(CoursePage).filter(slug=course_slug).only("sections").first()
    if course is None:
        return []
    ids = course.lesson_ids()
    keys = keys_for_page_ids(ids)
    return [keys[pk] for pk in ids if pk in keys]


def keys_for_page_ids(ids: Iterable[int]) -> dict[int, UUID]:
    """``{page_id: translation_key}`` of the pages that exist, in one query."""
    return dict(Page.objects.filter(pk__in=set(ids)).values_list("pk", "translation_key"))


def served_by_key(model, keys: Iterable[UUID], locale: str, fields: Sequence[str]) -> dict[UUID, dict]:
    """``{translation_key: row}`` of the served versions of the given pages."""
    keys = set(keys)
    if not keys:
        return {}
    rows = served(_live(model), locale).filter(translation_key__in=keys).values(*fields)
    return {row["translation_key"]: row for row in rows}


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


def category_translations(keys: Iterable[UUID]) -> dict[UUID, dict[str, str]]:
    """Where each category is listed on the Astro site, per locale: the library filtered by it."""
    libraries = dict(
        (language, frontend_path(url_path, language))
        for language, url_path in _live(LibraryIndexPage).values_list("locale__language_code", "url_path")
    )
    translations: dict[UUID, dict[str, str]] = {}
    rows = Category.objects.filter(translation_key__in=set(keys)).values_list(
        "translation_key", "locale__language_code", "slug"
    )
    for key, language, slug in rows:
        if language in libraries:
            translations.setdefault(key, {})[language] = f"{libraries[language]}?category={slug}"
    return translations


def containing(model, video_key: UUID, locale: str) -> list[dict]:
    """Served courses or bundles (``model``) that hold the video with ``video_key``.

    Courses and bundles are few; reading their block lists beats a join through JSON.
    """
    fields = COURSE_FIELDS if model is CoursePage else BUNDLE_FIELDS
    holders = list(served(_live(model), locale).values(*fields))
    page_ids = {pk for holder in holders for pk in _referenced_ids(holder)}
    keys = keys_for_page_ids(sorted(page_ids))
    return [holder for holder in holders if video_key in {keys.get(pk) for pk in _referenced_ids(holder)}]


def _referenced_ids(row: dict[str, Any]) -> list[int]:
    if "sections" in row:
        return [
            pk
            for section in row["sections"].raw_data
            for pk in list_block_values(section["value"]["lessons"])
            if pk
        ]
    return [block["value"] for block in row["items"].raw_data if block["value"]]


def list_block_values(raw: list) -> list:
    """A ListBlock's raw values: ``[{"type": "item", "value": v, "id": ...}]``, or plain values
    in data saved before Wagtail 2.16."""
    return [item["value"] if isinstance(item, dict) else item for item in raw]


def lesson_ids(row: dict[str, Any]) -> list[int]:
    return _referenced_ids({"sections": row["sections"]})


def related_videos(row: dict[str, Any], locale: str, limit: int = 4) -> list[dict]:
    """Other videos of the same category (else the same level), newest first."""
    queryset = served(_live(VideoPage), locale).exclude(translation_key=row["translation_key"])
    if row.get("category__slug"):
        queryset = queryset.filter(category__slug=row["category__slug"])
    else:
        queryset = queryset.filter(level=row["level"])
    return list(queryset.order_by("-first_published_at", "path").values(*VIDEO_FIELDS)[:limit])


def single_prices_total(prices: Iterable[Decimal | None]) -> Decimal:
    return sum((price for price in prices if price), Decimal("0.00"))


# ---- What holds what (for the shop's access decisions) --------------------------------------


@dataclass(frozen=True)
class VideoHolding:
    """What deciding access to one video needs from the catalogue, by translation key."""

    key: UUID
    exists: bool
    is_free: bool
    included_in_subscription: bool
    # The courses and bundles that give this video, directly or as a bundle's course: key -> kind.
    holders: dict[UUID, str]


@dataclass(frozen=True)
class CatalogHoldings:
    """Which courses and bundles hold which videos and courses, by translation key.

    A course or bundle holds what any of its language versions names, live or not: the German
    and English course are one thing to a buyer, and unpublishing a course does not take back
    what its buyers paid for. A bundle's course brings that course's lessons along.

    Keys are kept as hex strings, since this is read from the cache on every basket addition and
    library view: a thousand videos unpickle in 0.3 ms so, and in 6 ms as ``UUID`` objects. The
    methods take and give UUIDs.
    """

    kinds: dict[str, str]  # video | course | bundle
    free_videos: frozenset[str]  # live, and no version has a price
    subscription_videos: frozenset[str]  # marked as included in the subscription
    contents: dict[str, frozenset[str]]  # course/bundle -> the videos and courses it gives
    holders: dict[str, frozenset[str]]  # video/course -> the courses and bundles giving it

    def kind_of(self, key: UUID) -> str | None:
        return self.kinds.get(key.hex)

    def contents_of(self, key: UUID) -> frozenset[UUID]:
        return frozenset(UUID(item) for item in self.contents.get(key.hex, ()))

    def holders_of(self, key: UUID) -> frozenset[UUID]:
        return frozenset(UUID(holder) for holder in self.holders.get(key.hex, ()))

    def video(self, key: UUID) -> VideoHolding:
        return VideoHolding(
            key=key,
            exists=self.kind_of(key) == "video",
            is_free=key.hex in self.free_videos,
            included_in_subscription=key.hex in self.subscription_videos,
            holders={UUID(holder): self.kinds[holder] for holder in self.holders.get(key.hex, ())},
        )


def _holdings_compute() -> CatalogHoldings:
    """Every video, course and bundle in one query (their block lists are read in Python)."""
    rows = Page.objects.filter(
        Q(videopage__isnull=False) | Q(coursepage__isnull=False) | Q(bundlepage__isnull=False)
    ).values_list(
        "pk",
        "translation_key",
        "live",
        "videopage",
        "videopage__price",
        "videopage__included_in_subscription",
        "coursepage",
        "coursepage__sections",
        "bundlepage__items",
    )
    kinds: dict[str, str] = {}
    key_of: dict[int, str] = {}
    named: dict[str, set[int]] = {}  # course/bundle key -> page ids its versions name
    live_videos: set[str] = set()
    priced_videos: set[str] = set()
    subscription_videos: set[str] = set()
    for pk, translation_key, live, video, price, included, course, sections, items in rows:
        key = key_of[pk] = translation_key.hex
        if video is not None:
            kinds[key] = "video"
            if live:
                live_videos.add(key)
            if price:
                priced_videos.add(key)
            if included:
                subscription_videos.add(key)
        elif course is not None:
            kinds[key] = "course"
            named.setdefault(key, set()).update(lesson_ids({"sections": sections}))
        else:
            kinds[key] = "bundle"
            named.setdefault(key, set()).update(_referenced_ids({"items": items}))
    direct = {holder: {key_of[pk] for pk in ids if pk in key_of} for holder, ids in named.items()}
    contents = {
        holder: frozenset(
            held.union(*(direct.get(item, set()) for item in held if kinds.get(item) == "course"))
        )
        for holder, held in direct.items()
    }
    holders: dict[str, set[str]] = {}
    for holder, held in contents.items():
        for item in held:
            holders.setdefault(item, set()).add(holder)
    return CatalogHoldings(
        kinds=kinds,
        free_videos=frozenset(live_videos - priced_videos),
        subscription_videos=frozenset(subscription_videos),
        contents=contents,
        holders={item: frozenset(keys) for item, keys in holders.items()},
    )


def catalog_holdings() -> CatalogHoldings:
    """What holds what in the whole catalogue, worked out once per catalogue version."""
    return catalog_cached("holdings", _holdings_compute)


def video_holding(key: UUID) -> VideoHolding:
    """One video's share of :func:`catalog_holdings`, kept on its own so that an access check
    reads a few hundred bytes from the cache rather than the whole catalogue's map."""
    return catalog_cached(f"holdings:video:{key.hex}", lambda: catalog_holdings().video(key))


def videos_by_keys(keys: Iterable[UUID], *, locale: str) -> QuerySet:
    """The served versions of the live videos with these keys, alphabetically (a shopper's library)."""
    return (
        served(_live(VideoPage), locale)
        .filter(translation_key__in=set(keys))
        .order_by("title", "path")
        .values(*VIDEO_FIELDS)
    )


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


# ---- What would unlock a video (for the media pipeline's 403) --------------------------------


def video_offers(video_key: UUID, *, locale: str) -> list[dict[str, Any]]:
    """What a shopper could buy to watch the video: the video itself when it has a price, and
    every live course and bundle holding it, in ``locale`` (German where not translated), the
    video first, then the cheapest. One query (what holds what is cached).

    The media pipeline calls this through ``settings.MEDIA_OFFERS_FUNCTION``: it never imports
    the catalogue.
    """
    kinds = {video_key: "video", **video_holding(video_key).holders}
    rows = (
        Page.objects.live()
        .filter(translation_key__in=kinds, locale__language_code__in={locale, SOURCE_LOCALE})
        .values_list(
            "translation_key",
            "locale__language_code",
            "title",
            "slug",
            "url_path",
            "videopage__price",
            "coursepage__price",
            "bundlepage__price",
        )
    )
    offers: dict[UUID, dict[str, Any]] = {}
    for key, language, title, slug, url_path, *prices in rows:
        price = next((price for price in prices if price is not None), None)
        if not price or (key in offers and language != locale):
            continue
        offers[key] = {
            "key": key,
            "kind": kinds[key],
            "title": title,
            "slug": slug,
            "price": price,
            "url_path": frontend_path(url_path, language),
            "locale": language,
        }
    return sorted(
        offers.values(), key=lambda offer: (offer["kind"] != "video", offer["price"], offer["title"])
    )
