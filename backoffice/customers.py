"""The customer view: staff find a customer by e-mail (or name) and see, on one page, their
orders, subscription, bookings, library and progress, and give or take back access to a
catalogue item with a reason.

Nothing here decides access: the library is :func:`shop.access.library_for` (the same answer the
shopper's own library gets), grants are written by :mod:`shop.grants`, the subscription's meaning
comes from :mod:`shop.subscriptions.state`. What this module adds is the back office's rule that
a customer holds at most one active staff grant per item, and a record of each change in
Wagtail's audit log (the grant row itself keeps who and why; the log puts it in "Site history"
beside the editors' work).

Access is read from the grant rows on every check (only the catalogue's "what holds what" is
cached, and a grant does not change it), so a grant or revoke takes effect on the customer's next
request and on the next content key the player asks for.

The detail page costs a constant number of queries however many orders, bookings, grants and
progress rows the customer has: one per section, plus one for the catalogue's titles.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from djstripe.models import Subscription
from oscar.apps.order.models import Line, Order
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as audit_log
from wagtail.log_actions import registry as log_registry
from wagtail.models import Page

from backoffice.forms import REASON_MAX_LENGTH, GrantForm, RevokeForm
from booking.models import Booking
from cms.models import BundlePage, CoursePage, VideoPage
from cms.selectors import SOURCE_LOCALE, catalog_holdings, titles_by_key
from media_pipeline.models import WatchProgress
from shop import access
from shop.grants import grant_by_staff, grant_revoke_by_staff
from shop.models import Grant
from shop.statuses import PAID_ORDER_STATUSES, LineStatus, OrderStatus
from shop.subscriptions.plans import plans_for
from shop.subscriptions.state import SubscriptionState, state_current, subscription_current

app_name = "backoffice_customers"
PERMISSION = "backoffice.serve_customers"
# Giving money back is for those who may change orders (as in Oscar's dashboard).
REFUND_PERMISSION = "order.change_order"
PER_PAGE = 25

GRANT_ACTION = "backoffice.grant_access"
REVOKE_ACTION = "backoffice.revoke_access"

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


# ---- Writes ----------------------------------------------------------------------------------


class GrantRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def customer_grant(*, customer, item_key: uuid.UUID, staff, reason: str) -> Grant:
    """Give ``customer`` access to a catalogue item, unless staff already did (one active staff
    grant per item: a second would make a later revoke look like it took access away when it
    did not). The customer's row is locked so that two clicks cannot both pass the check."""
    if catalog_holdings().kind_of(item_key) is None:
        raise GrantRefused(_("There is no video, course or bundle with this key."))
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=customer.pk).first()
        held = Grant.objects.filter(
            user=customer, item_key=item_key, source=Grant.Source.STAFF, status=Grant.Status.ACTIVE
        ).exists()
        if held:
            raise GrantRefused(
                _("%(email)s already has access to this item through a staff grant.")
                % {"email": customer.email}
            )
        grant = grant_by_staff(user=customer, item_key=item_key, granted_by=staff, reason=reason)
        _log(grant, GRANT_ACTION, staff, customer, reason)
    return grant


def customer_grant_revoke(*, grant: Grant, staff, reason: str) -> Grant:
    """End ``grant`` (a purchase's too: a chargeback handled by hand), recording who and why."""
    with transaction.atomic():
        grant = Grant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        if grant.status == Grant.Status.REVOKED:
            raise GrantRefused(_("This grant was already revoked."))
        grant = grant_revoke_by_staff(grant=grant, revoked_by=staff, reason=reason)
        _log(grant, REVOKE_ACTION, staff, grant.user, reason)
    return grant


def _log(grant: Grant, action: str, staff, customer, reason: str) -> None:
    title = titles_by_key([grant.item_key], locale=SOURCE_LOCALE).get(grant.item_key, str(grant.item_key))
    audit_log(
        grant,
        action,
        user=staff,
        title=f"{customer.email}: {title}",
        data={
            "email": customer.email,
            "item_key": str(grant.item_key),
            "item_title": title,
            "reason": reason,
        },
    )


# ---- Audit log -------------------------------------------------------------------------------


class GrantLogFormatter(LogFormatter):
    label = gettext_lazy("Access granted")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Gave %(email)s access to %(item)s: %(reason)s") % {
            "email": data.get("email", ""),
            "item": data.get("item_title") or data.get("item_key", ""),
            "reason": data.get("reason", ""),
        }


class RevokeLogFormatter(LogFormatter):
    label = gettext_lazy("Access revoked")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Took %(item)s back from %(email)s: %(reason)s") % {
            "email": data.get("email", ""),
            "item": data.get("item_title") or data.get("item_key", ""),
            "reason": data.get("reason", ""),
        }


def customer_log_actions_register(actions) -> None:
    """The audit log's names for a grant and a revoke (safe to call twice)."""
    for action, formatter in ((GRANT_ACTION, GrantLogFormatter), (REVOKE_ACTION, RevokeLogFormatter)):
        if action not in actions.formatters:
            actions.register_action(action)(formatter)


hooks.register("register_log_actions", customer_log_actions_register)
if log_registry.has_scanned_for_actions:  # this module was imported after the first log entry
    customer_log_actions_register(log_registry)


# ---- Views -----------------------------------------------------------------------------------


def permission_check(user) -> None:
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


class CustomerPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        permission_check(request.user)
        return super().dispatch(request, *args, **kwargs)


class CustomerIndexView(CustomerPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/customers/index.html"
    header_icon = "user"

    def get_page_title(self) -> str:
        return _("Customers")

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()[:254]
        if (found := customer_by_email(query)) is not None:
            return redirect("backoffice_customers:detail", found)
        page = Paginator(customers_search(query), PER_PAGE).get_page(request.GET.get("p"))
        ids = [customer.pk for customer in page]
        subscriptions, paid_orders = subscriptions_by_customer(ids), paid_orders_by_customer(ids)
        rows = [
            {
                "customer": customer,
                "paid_orders": paid_orders.get(customer.pk, 0),
                "subscription": subscription_text(subscriptions.get(customer.pk)),
            }
            for customer in page
        ]
        return self.render_to_response(self.get_context_data(query=query, page=page, rows=rows))


class CustomerDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/customers/detail.html"
    header_icon = "user"

    def dispatch(self, request, *args, pk: int, **kwargs):
        permission_check(request.user)
        self.customer = get_user_model().objects.filter(pk=pk).first()
        if self.customer is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.customer.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("backoffice_customers:index"), "label": _("Customers")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = customer_overview(self.customer, (get_language() or SOURCE_LOCALE)[:2])
        items = [(item.key, item.kind, item.title) for item in overview.pop("catalog").values()]
        kwargs.setdefault("grant_form", GrantForm(items=items))
        context.update(overview)
        context.update(kwargs)
        context["studio_time_zone"] = settings.TIME_ZONE
        context["reason_max_length"] = REASON_MAX_LENGTH
        context["can_refund"] = self.request.user.has_perm(REFUND_PERMISSION)
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def refused(self, message: str, **forms):
        """The page again, with what was wrong (status 400: nothing was changed)."""
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**forms), status=400)

    def back(self):
        return redirect("backoffice_customers:detail", self.customer.pk)


class GrantView(CustomerDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        items = [(item.key, item.kind, item.title) for item in catalog_items(SOURCE_LOCALE).values()]
        form = GrantForm(request.POST, items=items)
        if not form.is_valid():
            return self.refused(_("Access was not given: see the form below."), grant_form=form)
        try:
            customer_grant(
                customer=self.customer,
                item_key=form.cleaned_data["item"],
                staff=request.user,
                reason=form.cleaned_data["reason"],
            )
        except GrantRefused as refusal:
            form.add_error(None, refusal.message)
            return self.refused(refusal.message, grant_form=form)
        title = dict((key, title) for key, _kind, title in items)[form.cleaned_data["item"]]
        messages.success(
            request,
            _("%(email)s may now watch “%(title)s”.") % {"email": self.customer.email, "title": title},
        )
        return self.back()


class RevokeView(CustomerDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, grant_pk: int, **kwargs):
        grant = Grant.objects.filter(pk=grant_pk, user=self.customer).first()
        if grant is None:
            raise Http404
        form = RevokeForm(request.POST)
        if not form.is_valid():
            return self.refused(
                _("The grant was not revoked: give a reason."), revoke_form=form, revoke_grant=grant.pk
            )
        try:
            customer_grant_revoke(grant=grant, staff=request.user, reason=form.cleaned_data["reason"])
        except GrantRefused as refusal:
            return self.refused(refusal.message)
        messages.success(request, _("The grant was revoked."))
        return self.back()


urlpatterns = [
    path("", CustomerIndexView.as_view(), name="index"),
    path("<int:pk>/", CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/grant/", GrantView.as_view(), name="grant"),
    path("<int:pk>/grants/<int:grant_pk>/revoke/", RevokeView.as_view(), name="revoke"),
]
