"""Who may watch what: the one place that decides (../shared/DESIGN.md, "Access").

A video may be watched when one of :data:`RULES` says so: it is free (live, without a price), or
the viewer holds an active :class:`~shop.models.Grant` for the video, for a course holding it, or
for a bundle holding it or one of its courses. Grants name translation keys, so buying the German
page gives the English one too; staff grants count like purchases; suspended (disputed) and
revoked grants give nothing. Anonymous viewers get the free videos only.

What holds what comes from the catalogue, worked out once per catalogue version and cached
(``cms.selectors.holdings.catalog_holdings``), so a check costs the grant lookup alone: one query however
much the viewer owns or the catalogue holds (two when an editor has just published). A video
marked as included in the subscription is also open to a subscriber whose subscription gives
access now (``shop.subscriptions.state``: active, trialing, past due within the grace period,
cancelled until the period ends); each rule costs at most one query, so a check stays within three.

The media pipeline asks through ``settings.SHOP_ACCESS_FUNCTION`` (this module's
:func:`may_watch`) and never imports the shop. The basket asks :func:`ownership` so nobody pays
twice for what they own, and the library lists :func:`library_for` — the same grants read the
other way round.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cms.selectors.holdings import CatalogHoldings, VideoHolding, catalog_holdings, video_holding
from cms.selectors.offers import video_offers as catalog_offers
from shop.models import Grant
from shop.subscriptions.state import is_subscribed

# What a source of access is called in the API: the grant's own source, or how the item got there.
FREE = "free"
PURCHASE = "purchase"
STAFF = "staff"
SUBSCRIPTION = "subscription"


@dataclass(frozen=True)
class AccessSource:
    """One reason a viewer may watch a video: ``kind`` is ``free``, ``purchase``, ``staff`` or
    ``subscription``; ``item_key``/``item_kind`` name what was bought or granted."""

    kind: str
    item_key: uuid.UUID | None = None
    item_kind: str | None = None


@dataclass(frozen=True)
class Access:
    video_key: uuid.UUID
    allowed: bool
    sources: tuple[AccessSource, ...]
    # What buying would unlock the video: itself and every course and bundle holding it.
    unlocked_by: dict[uuid.UUID, str] = field(default_factory=dict)


# A rule answers with the sources it finds (none: it does not allow). At most one query each.
Rule = Callable[[object, VideoHolding], tuple[AccessSource, ...]]


def _is_known(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def free_rule(user, video: VideoHolding) -> tuple[AccessSource, ...]:
    return (AccessSource(FREE),) if video.is_free else ()


def grant_rule(user, video: VideoHolding) -> tuple[AccessSource, ...]:
    if not _is_known(user):
        return ()
    kinds = {video.key: "video", **video.holders}
    rows = (
        Grant.objects.filter(user_id=user.pk, status=Grant.Status.ACTIVE, item_key__in=list(kinds))
        .values_list("source", "item_key")
        .distinct()
    )
    return tuple(AccessSource(source, key, kinds[key]) for source, key in rows)


def subscription_rule(user, video: VideoHolding) -> tuple[AccessSource, ...]:
    if not video.included_in_subscription or not _is_known(user):
        return ()
    return (AccessSource(SUBSCRIPTION),) if is_subscribed(user) else ()


# In order; :func:`may_watch` stops at the first that allows.
RULES: list[Rule] = [free_rule, grant_rule, subscription_rule]


def video_key(video) -> uuid.UUID:
    """The translation key of a ``VideoPage`` (any locale) or of a key given as such or as text."""
    key = getattr(video, "translation_key", video)
    return key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))


def may_watch(user, video) -> bool:
    """Whether ``user`` (or an anonymous visitor: ``None`` or ``AnonymousUser``) may watch ``video``
    now. ``video`` is a ``VideoPage`` in any locale or its translation key."""
    holding = video_holding(video_key(video))
    return holding.exists and any(rule(user, holding) for rule in RULES)


def access_for(user, video) -> Access:
    """:func:`may_watch` with every reason found and what would unlock the video (for a 403)."""
    holding = video_holding(video_key(video))
    sources = tuple(source for rule in RULES for source in rule(user, holding)) if holding.exists else ()
    unlocked_by = {holding.key: "video", **holding.holders} if holding.exists else {}
    return Access(video_key=holding.key, allowed=bool(sources), sources=sources, unlocked_by=unlocked_by)


def video_offers(video, *, locale: str) -> list[dict]:
    """What would unlock ``video`` for the media pipeline's 401/403: the video itself, the courses
    and bundles holding it (``cms.selectors.offers.video_offers``), and — when the subscription includes
    it — the cheapest plan per month, with no id (subscribe through the plan list)."""
    key = video_key(video)
    offers = catalog_offers(key, locale=locale)
    if video_holding(key).included_in_subscription:
        from shop.subscriptions.plans import plans_for  # cached: no query in the steady state

        plans = sorted(plans_for(locale), key=lambda plan: plan.per_month)
        if plans:
            offers.append(
                {
                    "key": None,
                    "kind": SUBSCRIPTION,
                    "title": plans[0].name,
                    "slug": "",
                    "price": plans[0].per_month,
                    "url_path": "",
                    "locale": plans[0].locale,
                }
            )
    return offers


# ---- What a shopper owns (the basket, the library) ------------------------------------------


def _active_grants(user) -> list[tuple[uuid.UUID, str]]:
    if not _is_known(user):
        return []
    return list(
        Grant.objects.filter(user_id=user.pk, status=Grant.Status.ACTIVE)
        .order_by("created_at", "pk")
        .values_list("item_key", "source")
    )


def _with_contents(keys: Iterable[uuid.UUID], holdings: CatalogHoldings) -> set[uuid.UUID]:
    keys = set(keys)
    return keys.union(*(holdings.contents_of(key) for key in keys))


def owned_item_keys(user) -> frozenset[uuid.UUID]:
    """Every video, course and bundle ``user`` holds an active grant for, or gets with one."""
    return frozenset(_with_contents((key for key, _ in _active_grants(user)), catalog_holdings()))


@dataclass(frozen=True)
class Ownership:
    item_key: uuid.UUID
    # The granted items that already give it (itself, or a course or bundle holding it).
    owned_through: frozenset[uuid.UUID]
    # What of a course or bundle the shopper already owns (a course owned, not also its lessons).
    overlaps: frozenset[uuid.UUID]
    kinds: dict[uuid.UUID, str]  # of the items above

    @property
    def owned(self) -> bool:
        return bool(self.owned_through)


def ownership(user, item_key: uuid.UUID) -> Ownership:
    """How much of the video, course or bundle ``item_key`` ``user`` already owns (one query)."""
    holdings = catalog_holdings()
    granted = {key for key, _ in _active_grants(user)}
    owned = _with_contents(granted, holdings)
    overlapping = holdings.contents_of(item_key) & owned
    owned_through = frozenset(granted & ({item_key} | holdings.holders_of(item_key)))
    overlaps = frozenset(key for key in overlapping if not holdings.holders_of(key) & overlapping)
    return Ownership(
        item_key=item_key,
        owned_through=owned_through,
        overlaps=overlaps,
        kinds={key: holdings.kind_of(key) for key in owned_through | overlaps},
    )


def already_owned(user, product) -> bool:
    """Whether buying ``product`` (an Oscar product, keyed on a translation key) would give
    ``user`` nothing new. Products that are not catalogue items (consultations) are never owned."""
    try:
        key = uuid.UUID(product.upc)
    except (TypeError, ValueError):
        return False
    return ownership(user, key).owned


@dataclass(frozen=True)
class LibrarySource:
    kind: str  # purchase | staff (the grant's source) | subscription
    item_key: uuid.UUID | None  # what was bought or granted (none for the subscription)
    item_kind: str | None  # video | course | bundle


@dataclass(frozen=True)
class Library:
    """What a shopper may watch through their grants, read the other way round from access."""

    # video key -> the grants giving it, in the order they were made.
    videos: dict[uuid.UUID, tuple[LibrarySource, ...]]
    courses: tuple[uuid.UUID, ...]  # granted, or in a granted bundle
    bundles: tuple[uuid.UUID, ...]


SUBSCRIBED = LibrarySource(SUBSCRIPTION, None, None)


def library_for(user) -> Library:
    """Every video ``user``'s active grants and subscription give, with what gives each (two
    queries: the grants, the subscription)."""
    holdings = catalog_holdings()
    videos: dict[uuid.UUID, list[LibrarySource]] = {}
    courses: dict[uuid.UUID, None] = {}
    bundles: dict[uuid.UUID, None] = {}
    for key, source in _active_grants(user):
        kind = holdings.kind_of(key)
        if kind is None:
            continue  # the page is gone
        given = LibrarySource(source, key, kind)
        for item in sorted({key} | holdings.contents_of(key)):
            item_kind = holdings.kind_of(item)
            if item_kind == "video":
                if given not in videos.setdefault(item, []):
                    videos[item].append(given)
            elif item_kind == "course":
                courses[item] = None
            elif item_kind == "bundle":
                bundles[item] = None
    if _is_known(user) and holdings.subscription_videos and is_subscribed(user):
        for key in sorted(holdings.subscription_videos):
            videos.setdefault(uuid.UUID(key), []).append(SUBSCRIBED)
    return Library(
        videos={key: tuple(sources) for key, sources in videos.items()},
        courses=tuple(courses),
        bundles=tuple(bundles),
    )
