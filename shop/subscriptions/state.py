"""What a mirrored subscription means now.

Stripe's status alone is not the answer: a subscription cancelled at the period's end stays
``active`` until then, a failed renewal leaves it ``past_due`` while Stripe retries the card, and a
renewal whose webhook is late leaves the mirror's period in the past for a while. The rules:

- ``active`` / ``trialing``: access until the period ends; when it is set to cancel, exactly
  then; otherwise with ``SUBSCRIPTION_GRACE_DAYS`` more, so a late renewal webhook (healed daily by
  :mod:`shop.subscriptions.reconcile`) never locks a paying subscriber out.
- ``past_due``: access for the grace period after the failed renewal (the period's start).
- ``unpaid``, ``canceled``, ``incomplete``, ``incomplete_expired``, ``paused``: none.

:func:`subscription_states` reads the few fields these rules need from dj-stripe's mirror in one
query; :func:`subscription_current` picks the subscription that matters for a shopper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models.fields.json import KT
from django.utils import timezone
from djstripe.models import Subscription

ACTIVE = ("active", "trialing")
PAST_DUE = "past_due"

# What the shopper should do next (GET /api/v1/me/subscription/).
SUBSCRIBE = "subscribe"
NOTHING = "none"
UPDATE_PAYMENT_METHOD = "update_payment_method"
RESUME = "resume"
COMPLETE_PAYMENT = "complete_payment"


def _moment(value) -> datetime | None:
    if value in (None, "", "null"):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _flag(value) -> bool:
    return value in (True, 1, "1", "true", "True")


@dataclass(frozen=True)
class SubscriptionState:
    id: str
    status: str
    price_id: str
    period_start: datetime | None
    period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    created: datetime | None

    @classmethod
    def from_stripe(cls, data: dict) -> SubscriptionState:
        """From a subscription as Stripe sends it."""
        items = (data.get("items") or {}).get("data") or [{}]
        return cls.from_row(
            {
                "id": data.get("id"),
                "status": data.get("status"),
                "price_id": (items[0].get("price") or {}).get("id"),
                "period_start": data.get("current_period_start"),
                "period_end": data.get("current_period_end"),
                "cancel_at_period_end": data.get("cancel_at_period_end"),
                "cancel_at": data.get("cancel_at"),
                "created_at": data.get("created"),
            }
        )

    @classmethod
    def from_row(cls, row: dict) -> SubscriptionState:
        return cls(
            id=row["id"],
            status=row["status"] or "",
            price_id=row["price_id"] or "",
            period_start=_moment(row["period_start"]),
            period_end=_moment(row["period_end"]),
            cancel_at_period_end=_flag(row["cancel_at_period_end"]),
            cancel_at=_moment(row["cancel_at"]),
            created=_moment(row["created_at"]),
        )

    @property
    def ends_at_period_end(self) -> bool:
        return self.cancel_at_period_end or self.cancel_at is not None

    def access_until(self, grace: timedelta | None = None) -> datetime | None:
        """The moment access ends (``None``: it has none)."""
        grace = grace if grace is not None else grace_period()
        if self.status in ACTIVE and self.period_end is not None:
            if self.cancel_at is not None:
                return self.cancel_at
            if self.cancel_at_period_end:
                return self.period_end
            return self.period_end + grace
        if self.status == PAST_DUE and self.period_start is not None:
            return self.period_start + grace
        return None

    def gives_access(self, now: datetime | None = None) -> bool:
        until = self.access_until()
        return until is not None and (now or timezone.now()) < until

    def next_action(self, now: datetime | None = None) -> str:
        if not self.gives_access(now):
            return COMPLETE_PAYMENT if self.status == "incomplete" else SUBSCRIBE
        if self.status == PAST_DUE:
            return UPDATE_PAYMENT_METHOD
        if self.ends_at_period_end:
            return RESUME
        return NOTHING

    def facts(self) -> dict:
        """What reconciliation compares and reports."""
        return {
            "status": self.status,
            "price": self.price_id,
            "current_period_end": self.period_end.isoformat() if self.period_end else None,
            "cancel_at_period_end": self.cancel_at_period_end,
            "cancel_at": self.cancel_at.isoformat() if self.cancel_at else None,
        }


def grace_period() -> timedelta:
    return timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)


def state_fields() -> dict[str, KT]:
    """The mirror's fields :meth:`SubscriptionState.from_row` reads, as ``values()`` expressions
    (the back office reads them with more beside)."""
    return {
        "created_at": KT("stripe_data__created"),
        "status": KT("stripe_data__status"),
        "price_id": KT("stripe_data__items__data__0__price__id"),
        "period_start": KT("stripe_data__current_period_start"),
        "period_end": KT("stripe_data__current_period_end"),
        "cancel_at_period_end": KT("stripe_data__cancel_at_period_end"),
        "cancel_at": KT("stripe_data__cancel_at"),
    }


def _rows(queryset):
    return queryset.values("id", **state_fields())


def subscription_states(user) -> list[SubscriptionState]:
    """Every mirrored subscription of ``user`` (one query), newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    rows = _rows(
        Subscription.objects.filter(customer__subscriber_id=user.pk, livemode=settings.STRIPE_LIVE_MODE)
    )
    states = [SubscriptionState.from_row(row) for row in rows]
    return sorted(
        states, key=lambda state: (state.created or datetime.min.replace(tzinfo=UTC), state.id), reverse=True
    )


def subscription_state(subscription_id: str) -> SubscriptionState | None:
    row = _rows(Subscription.objects.filter(id=subscription_id)).first()
    return SubscriptionState.from_row(row) if row else None


def subscription_current(user, now: datetime | None = None) -> SubscriptionState | None:
    """The subscription that matters for ``user``: the one giving access longest, else the newest."""
    return state_current(subscription_states(user), now or timezone.now())


def state_current(states: list[SubscriptionState], now: datetime) -> SubscriptionState | None:
    """Of one shopper's subscriptions, the one giving access longest at ``now``, else the newest."""
    giving = [state for state in states if state.gives_access(now)]
    if giving:
        return max(giving, key=lambda state: state.access_until())
    return max(
        states, key=lambda state: (state.created or datetime.min.replace(tzinfo=UTC), state.id), default=None
    )


def is_subscribed(user, now: datetime | None = None) -> bool:
    current = subscription_current(user, now)
    return current is not None and current.gives_access(now)


def return_url(locale: str) -> str:
    """The front end's page for the shopper's subscription: Stripe's pages, the local pages and
    the subscription mails lead back there."""
    return f"{settings.FRONTEND_URL}/{locale}/account/subscription"
