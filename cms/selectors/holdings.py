"""What holds what in the catalogue, for the shop's access decisions: which courses and bundles
give which videos and courses, worked out once per catalogue version."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q
from wagtail.models import Page

from cms.catalog_cache import catalog_cached
from cms.selectors.references import lesson_ids, referenced_ids


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
            named.setdefault(key, set()).update(referenced_ids({"items": items}))
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
