"""Subscriptions in the admin: a read-only listing of dj-stripe's mirror, with a link to each in
Stripe's dashboard (where staff change them: Stripe owns subscriptions, the mirror only follows)
and to the customer's page.

The status shown is what the subscription means *now* by :mod:`shop.subscriptions.state`'s
rules (a cancelled one still running to its period's end, a failed renewal within its grace
period), not Stripe's bare status, which is shown beside it. Because those rules are time
arithmetic over several fields, the listing reads the few fields of every matching subscription
in one query and filters and pages in Python; plan names are a second query for the page shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from djstripe.models import Subscription
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from backoffice.views import cell_text
from shop.models import SubscriptionPlan
from shop.subscriptions.state import PAST_DUE, SubscriptionState, state_fields

PERMISSION = "backoffice.serve_customers"
PER_PAGE = 50
MAX_SEARCH = 254

# What a subscription is now (shop.subscriptions.state's reading), in the order of the filter.
ACTIVE, TRIAL, CANCELLING, GRACE, AWAITING, ENDED = (
    "active",
    "trialing",
    "cancelling",
    "past_due",
    "incomplete",
    "ended",
)
STANDINGS = {
    ACTIVE: _("Active"),
    TRIAL: _("Trial"),
    CANCELLING: _("Ends at period end"),
    GRACE: _("Payment failed (grace period)"),
    AWAITING: _("Awaiting first payment"),
    ENDED: _("Ended"),
}
INTERVALS = {"month": _("monthly"), "year": _("yearly"), "week": _("weekly"), "day": _("daily")}


def standing(state: SubscriptionState, now: datetime) -> str:
    """A key of :data:`STANDINGS`: whether the subscription gives access now, and why it may stop."""
    if state.gives_access(now):
        if state.status == PAST_DUE:
            return GRACE
        if state.ends_at_period_end:
            return CANCELLING
        return TRIAL if state.status == "trialing" else ACTIVE
    return AWAITING if state.status == "incomplete" else ENDED


def stripe_url(subscription_id: str, livemode: bool) -> str:
    mode = "" if livemode else "/test"
    return f"https://dashboard.stripe.com{mode}/subscriptions/{subscription_id}"


def _moment(value) -> datetime | None:
    if value in (None, "", "null"):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


@dataclass(frozen=True)
class Row:
    id: str
    email: str
    user_id: int | None
    price_id: str
    price_name: str
    standing: str
    stripe_status: str
    amount: Decimal | None
    interval: str
    period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    started: datetime | None
    livemode: bool
    plan: str = ""

    @property
    def standing_label(self):
        return STANDINGS[self.standing]

    @property
    def amount_text(self) -> str:
        return cell_text(self.amount, "money")

    @property
    def interval_label(self):
        return INTERVALS.get(self.interval, self.interval)

    @property
    def stripe_url(self) -> str:
        return stripe_url(self.id, self.livemode)

    @property
    def customer_url(self) -> str:
        return f"/admin/backoffice/customers/{self.user_id}/" if self.user_id else ""


def subscription_rows(*, search: str = "") -> list[Row]:
    """Every mirrored subscription (of the site's Stripe mode) whose customer's e-mail contains
    ``search``, newest first: one query."""
    queryset = Subscription.objects.filter(livemode=settings.STRIPE_LIVE_MODE)
    if search:
        queryset = queryset.filter(
            Q(customer__email__icontains=search) | Q(customer__subscriber__email__icontains=search)
        )
    values = queryset.values(
        "id",
        "livemode",
        email=F("customer__email"),
        user_email=F("customer__subscriber__email"),
        user_id=F("customer__subscriber_id"),
        **state_fields(),
        price_name=KT("stripe_data__items__data__0__price__nickname"),
        start_date=KT("stripe_data__start_date"),
        unit_amount=KT("stripe_data__items__data__0__price__unit_amount"),
        quantity=KT("stripe_data__items__data__0__quantity"),
        interval=KT("stripe_data__items__data__0__price__recurring__interval"),
    )
    now = timezone.now()
    rows = []
    for value in values:
        state = SubscriptionState.from_row(value)
        amount = None
        if value["unit_amount"] not in (None, ""):
            amount = Decimal(int(value["unit_amount"])) * int(value["quantity"] or 1) / 100
        rows.append(
            Row(
                id=value["id"],
                email=value["email"] or value["user_email"] or "",
                user_id=value["user_id"],
                price_id=state.price_id,
                price_name=value["price_name"] or "",
                standing=standing(state, now),
                stripe_status=state.status,
                amount=amount,
                interval=value["interval"] or "",
                period_end=state.period_end,
                cancel_at_period_end=state.cancel_at_period_end,
                cancel_at=state.cancel_at,
                started=_moment(value["start_date"]) or state.created,
                livemode=value["livemode"],
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    rows.sort(key=lambda row: (row.started or epoch, row.id), reverse=True)
    return rows


def plan_names(price_ids: set[str], language: str) -> dict[str, str]:
    """The plans' names by Stripe price, in ``language`` where translated, else the source's (one query)."""
    names: dict[str, str] = {}
    exact: set[str] = set()
    for plan in SubscriptionPlan.objects.filter(stripe_price_id__in=price_ids).select_related("locale"):
        if plan.stripe_price_id in exact:
            continue
        if plan.locale.language_code == language:
            exact.add(plan.stripe_price_id)
            names[plan.stripe_price_id] = plan.name
        elif plan.locale.language_code == settings.LANGUAGE_CODE or plan.stripe_price_id not in names:
            names[plan.stripe_price_id] = plan.name
    return names


class SubscriptionIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/subscriptions/index.html"
    header_icon = "repeat"
    page_title = _("Subscriptions")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        search = request.GET.get("q", "").strip()
        status = request.GET.get("status", "")
        context.update({"search": search, "status": status, "standings": list(STANDINGS.items())})
        error = None
        if len(search) > MAX_SEARCH:
            error = _("The search is too long: at most %(count)d characters.") % {"count": MAX_SEARCH}
        elif status and status not in STANDINGS:
            error = _("Unknown status “%(value)s”.") % {"value": status[:40]}
        if error:
            context["error"] = error
            return self.render_to_response(context, status=400)
        rows = subscription_rows(search=search)
        if status:
            rows = [row for row in rows if row.standing == status]
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("p"))
        names = plan_names({row.price_id for row in page}, (get_language() or "").split("-")[0])
        page.object_list = [
            replace(row, plan=names.get(row.price_id) or row.price_name or row.price_id) for row in page
        ]
        query = request.GET.copy()
        query.pop("p", None)
        context.update({"page": page, "query": query.urlencode()})
        return self.render_to_response(context)
