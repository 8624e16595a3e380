"""What the customer view shows: finding customers, and one customer's orders, subscription,
bookings, library, progress and grants, each in one query whatever its size (plus one for the
catalogue's titles).

Nothing here decides access: the library is :func:`shop.access.selectors.library_for` (the same answer the
shopper's own library gets) and the subscription's meaning comes from
:mod:`shop.subscriptions.state`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from djstripe.models import Subscription
from oscar.apps.order.models import Line, Order
from wagtail.models import Page

from booking.models import Booking
from cms.models import BundlePage, CoursePage, VideoPage
from cms.selectors.holdings import catalog_holdings
from cms.selectors.served import SOURCE_LOCALE
from media_pipeline.models import WatchProgress
from shop.access import selectors as access
from shop.models import Grant
from shop.statuses import PAID_ORDER_STATUSES, LineStatus, OrderStatus
from shop.subscriptions.plans import plans_for
from shop.subscriptions.state import SubscriptionState, state_current, subscription_current

ORDER_STATUS_LABELS = {
    OrderStatus.PENDING: gettext_lazy("Awaiting payment"),
    OrderStatus.PAID: gettext_lazy("Paid"),
    OrderStatus.CANCELLED: gettext_lazy("Cancelled"),
    OrderStatus.PARTIALLY_REFUNDED: gettext_lazy("Partly refunded"),
    OrderStatus.REFUNDED: gettext_lazy("Refunded"),
}
# Stripe's subscription statuses.
SUBSCRIPTION_STATUS_LABELS = {
    "active": gettext_lazy("Active"),
    "trialing": gettext_lazy("Trial"),
    "past_due": gettext_lazy("Payment overdue"),
    "unpaid": gettext_lazy("Unpaid"),
    "canceled": gettext_lazy("Ended"),
    "incomplete": gettext_lazy("Payment not completed"),
    "incomplete_expired": gettext_lazy("Never started"),
    "paused": gettext_lazy("Paused"),
}
BOOKING_STATUS_LABELS = {
    Booking.Status.HELD: gettext_lazy("Held"),
    Booking.Status.CONFIRMED: gettext_lazy("Confirmed"),
    Booking.Status.COMPLETED: gettext_lazy("Completed"),
    Booking.Status.NO_SHOW: gettext_lazy("No-show"),
    Booking.Status.CANCELLED: gettext_lazy("Cancelled"),
    Booking.Status.EXPIRED: gettext_lazy("Hold expired"),
}
GRANT_SOURCE_LABELS = {
    Grant.Source.PURCHASE: gettext_lazy("Purchase"),
    Grant.Source.STAFF: gettext_lazy("Staff grant"),
}
GRANT_STATUS_LABELS = {
    Grant.Status.ACTIVE: gettext_lazy("Active"),
    Grant.Status.SUSPENDED: gettext_lazy("Suspended (payment disputed)"),
    Grant.Status.REVOKED: gettext_lazy("Revoked"),
}
KIND_LABELS = {
    "video": gettext_lazy("Video"),
    "course": gettext_lazy("Course"),
    "bundle": gettext_lazy("Bundle"),
}


# ---- Reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogItem:
    key: uuid.UUID
    kind: str  # video | course | bundle
    title: str  # German (the source language): what the grant form lists
    label: str  # in the admin's language where translated, else German


def catalog_items(language: str) -> dict[uuid.UUID, CatalogItem]:
    """Every video, course and bundle, live or not (a grant may name a withdrawn item), with its
    titles, in one query (what is what comes from the cached catalogue holdings)."""
    holdings = catalog_holdings()
    titles: dict[uuid.UUID, dict[str, str]] = {}
    rows = Page.objects.type(VideoPage, CoursePage, BundlePage).values_list(
        "translation_key", "locale__language_code", "title"
    )
    for key, locale, title in rows:
        titles.setdefault(key, {})[locale] = title
    items = {}
    for key, by_locale in titles.items():
        kind = holdings.kind_of(key)
        if kind is None:
            continue
        german = by_locale.get(SOURCE_LOCALE) or next(iter(by_locale.values()))
        items[key] = CatalogItem(key, kind, german, by_locale.get(language, german))
    return items


def _label(items: dict[uuid.UUID, CatalogItem], key: uuid.UUID | None) -> str:
    item = items.get(key) if key else None
    return item.label if item else _("Deleted item %(key)s") % {"key": key}


def customers_search(query: str) -> QuerySet:
    """Customers whose e-mail or name contains ``query`` (any case), newest first."""
    customers = get_user_model().objects.all()
    if query:
        customers = customers.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(email__icontains=query) | Q(full_name__icontains=query)
        )
    return customers.order_by("-date_joined", "-pk")


def paid_orders_by_customer(user_ids: list[int]) -> dict[int, int]:
    """How many paid orders each of these customers has (one query, for a page of the list)."""
    rows = (
        Order.objects.filter(user_id__in=user_ids, status__in=PAID_ORDER_STATUSES)
        .values("user_id")
        .annotate(count=Count("pk"))
        .values_list("user_id", "count")
    )
    return dict(rows)


def customer_by_email(query: str) -> int | None:
    """The id of the one customer with exactly this e-mail (any case), if there is one."""
    if "@" not in query:
        return None
    ids = list(get_user_model().objects.filter(email__iexact=query).values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


def subscriptions_by_customer(user_ids: list[int]) -> dict[int, SubscriptionState]:
    """The subscription that matters for each of these customers, in one query."""
    states: dict[int, list[SubscriptionState]] = {}
    rows = Subscription.objects.filter(
        customer__subscriber_id__in=user_ids, livemode=settings.STRIPE_LIVE_MODE
    ).values_list("customer__subscriber_id", "stripe_data")
    for user_id, data in rows:
        states.setdefault(user_id, []).append(SubscriptionState.from_stripe(data or {}))
    now = timezone.now()
    return {user_id: state_current(found, now) for user_id, found in states.items()}


def subscription_text(state: SubscriptionState | None) -> str:
    if state is None:
        return ""
    return str(SUBSCRIPTION_STATUS_LABELS.get(state.status, state.status))


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def customer_orders(customer) -> list[dict[str, Any]]:
    rows = (
        Order.objects.filter(user=customer)
        .order_by("-date_placed", "-pk")
        .values(
            "number",
            "date_placed",
            "total_incl_tax",
            "status",
            paid_at=F("checkout__paid_at"),
            refunded=F("checkout__amount_refunded"),
        )
    )
    lines: dict[str, list[dict[str, Any]]] = {}
    for line in (
        Line.objects.filter(order__user=customer)
        .order_by("pk")
        .values("pk", "title", "status", "line_price_incl_tax", number=F("order__number"))
    ):
        line["refundable"] = line["status"] == LineStatus.PAID and line["line_price_incl_tax"] > 0
        lines.setdefault(line["number"], []).append(line)
    return [
        {
            **row,
            "status_label": ORDER_STATUS_LABELS.get(row["status"], row["status"]),
            "url": _url("dashboard:order-detail", row["number"]),
            "lines": lines.get(row["number"], []),
            "refundable": any(line["refundable"] for line in lines.get(row["number"], [])),
            "refund_url": reverse("backoffice_refunds:refund", args=[customer.pk, row["number"]]),
        }
        for row in rows
    ]


def customer_subscription(customer, language: str) -> dict[str, Any] | None:
    state = subscription_current(customer)
    if state is None:
        return None
    plans = {plan.price_id: plan.name for plan in plans_for(language, active_only=False)}
    test = "" if settings.STRIPE_LIVE_MODE else "/test"
    return {
        "state": state,
        "status_label": subscription_text(state),
        "plan": plans.get(state.price_id, state.price_id),
        "gives_access": state.gives_access(),
        "access_until": state.access_until(),
        "stripe_url": f"https://dashboard.stripe.com{test}/subscriptions/{state.id}",
    }


def customer_bookings(customer) -> list[dict[str, Any]]:
    bookings = Booking.objects.filter(user=customer).select_related("type").order_by("-start")
    return [
        {
            "booking": booking,
            "status_label": BOOKING_STATUS_LABELS.get(booking.status, booking.status),
            "url": _url("bookings:inspect", booking.pk),
        }
        for booking in bookings
    ]


def _source_text(source: access.LibrarySource, items: dict[uuid.UUID, CatalogItem]) -> str:
    if source.kind == access.SUBSCRIPTION:
        return _("Subscription")
    given = GRANT_SOURCE_LABELS.get(source.kind, source.kind)
    if source.item_kind == "video":
        return str(given)
    return _("%(source)s via %(kind)s “%(title)s”") % {
        "source": given,
        "kind": KIND_LABELS.get(source.item_kind, source.item_kind),
        "title": _label(items, source.item_key),
    }


def customer_library(customer, items: dict[uuid.UUID, CatalogItem]) -> dict[str, list]:
    """What the customer may watch (besides the free videos) and why, by title."""
    library = access.library_for(customer)
    videos = [
        {
            "title": _label(items, key),
            "sources": [_source_text(source, items) for source in sources],
        }
        for key, sources in library.videos.items()
    ]
    return {
        "videos": sorted(videos, key=lambda row: row["title"].casefold()),
        "courses": sorted((_label(items, key) for key in library.courses), key=str.casefold),
        "bundles": sorted((_label(items, key) for key in library.bundles), key=str.casefold),
    }


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def customer_progress(customer, items: dict[uuid.UUID, CatalogItem]) -> list[dict[str, Any]]:
    rows = WatchProgress.objects.filter(user=customer).order_by("-updated_at", "-pk")
    return [
        {
            "title": _label(items, row.video_key),
            "share": min(row.watched_seconds / row.duration_seconds, 1.0) * 100
            if row.duration_seconds
            else 0,
            "position": _clock(row.position_seconds),
            "duration": _clock(row.duration_seconds),
            "completed_at": row.completed_at,
            "updated_at": row.updated_at,
        }
        for row in rows
    ]


def customer_grants(customer, items: dict[uuid.UUID, CatalogItem]) -> list[dict[str, Any]]:
    grants = (
        Grant.objects.filter(user=customer)
        .select_related("granted_by", "revoked_by", "order_line__order")
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "grant": grant,
            "title": _label(items, grant.item_key),
            "kind": KIND_LABELS.get(getattr(items.get(grant.item_key), "kind", ""), ""),
            "source_label": GRANT_SOURCE_LABELS.get(grant.source, grant.source),
            "status_label": GRANT_STATUS_LABELS.get(grant.status, grant.status),
            "order_number": grant.order_line.order.number if grant.order_line_id else "",
            "revocable": grant.status != Grant.Status.REVOKED,
        }
        for grant in grants
    ]


def customer_overview(customer, language: str) -> dict[str, Any]:
    """Everything the detail page shows, one query per section."""
    items = catalog_items(language)
    return {
        "customer": customer,
        "locale_label": dict(settings.LANGUAGES).get(customer.locale, customer.locale),
        "orders": customer_orders(customer),
        "subscription": customer_subscription(customer, language),
        "bookings": customer_bookings(customer),
        "library": customer_library(customer, items),
        "progress": customer_progress(customer, items),
        "grants": customer_grants(customer, items),
        "catalog": items,
    }
