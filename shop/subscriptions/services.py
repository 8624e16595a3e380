"""Subscribing, managing, and the one writer of dj-stripe's subscription mirror.

Stripe owns subscriptions; we never change one locally. What we write is the mirror, and only
here: :func:`subscription_sync` locks the subscriber's mirrored customer, asks Stripe for the
subscription as it is *now* and stores that. Webhooks (``customer.subscription.*``, ``invoice.paid``,
``invoice.payment_failed``, a completed subscription checkout) only say "look again", so a late,
repeated or reordered event cannot put older state over newer: whichever is processed last
stores what Stripe holds at that moment, and the lock keeps two syncs of one customer from
crossing (a fetch made before another sync's write can never be written after it). dj-stripe's
own event mirroring is skipped for these types (``MIRRORED_HERE``) for the same reason.

Every create in Stripe carries an idempotency key: the customer's names the user (one customer
per user, ever), a checkout's names the attempt.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from djstripe.models import Customer, Subscription

from core.errors import ApiError
from core.locale import person_language
from shop.payments import stripe_gateway
from shop.subscriptions import local, notices
from shop.subscriptions.plans import plan_find
from shop.subscriptions.state import SubscriptionState, return_url, subscription_current, subscription_state

logger = logging.getLogger(__name__)

# Event types whose objects this module mirrors (dj-stripe's event processing skips them).
MIRRORED_HERE = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "customer.subscription.pending_update_applied",
        "customer.subscription.pending_update_expired",
        "customer.subscription.trial_will_end",
    }
)
# Without an Idempotency-Key header, presses of "subscribe" within this window are one attempt.
ATTEMPT_WINDOW_SECONDS = 10 * 60


def portal_path() -> str:
    return reverse("subscription-portal")


def _stripe_configured() -> bool:
    if settings.STRIPE_SECRET_KEY:
        return True
    if local.enabled():
        return False
    raise ApiError("payments_not_configured", "Payments are not set up on this server.", status=503)


# ---- The shopper's Stripe customer --------------------------------------------------------------


def customer_for(user) -> Customer | None:
    return (
        Customer.objects.filter(subscriber_id=user.pk, livemode=settings.STRIPE_LIVE_MODE, date_purged=None)
        .order_by("djstripe_id")
        .first()
    )


def customer_ensure(*, user) -> Customer:
    """The shopper's one Stripe customer, created in Stripe and mirrored the first time."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one creator at a time
        customer = customer_for(user)
        if customer is not None:
            return customer
        if not _stripe_configured():
            return local.customer_put(user=user)
        data = stripe_gateway.customer_create(
            user_id=user.pk, email=user.email, name=user.get_full_name(), locale=person_language(user)
        )
        customer = Customer.sync_from_stripe_data(data, api_key=settings.STRIPE_SECRET_KEY)
        if customer.subscriber_id != user.pk:
            customer.subscriber = user
            customer.save(update_fields=["subscriber"])
        return customer


# ---- Subscribing and managing -------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    url: str


def subscription_checkout_start(*, user, plan_id, idempotency_key: str = "") -> Redirect:
    """Stripe Checkout in subscription mode for ``plan_id`` (a plan's id from the plan list).

    Refused with 409 ``already_subscribed`` while a subscription gives access (change plans in
    the portal instead). The first subscription of a shopper gets the configured first-timer
    trial (``SUBSCRIPTION_TRIAL_DAYS``) or coupon (``SUBSCRIPTION_FIRST_TIMER_COUPON``).
    """
    locale = person_language(user)
    plan = plan_find(plan_id, locale)
    if plan is None:
        raise ApiError(
            "unknown_plan",
            "There is no such plan on offer.",
            status=400,
            fields={"plan": ["Choose one of the plans from /api/v1/subscriptions/plans/."]},
        )
    current = subscription_current(user)
    if current is not None and current.gives_access():
        raise ApiError(
            "already_subscribed",
            "You already have a subscription. Change plan or cancel it in the customer portal.",
            status=409,
            extra={"portal": portal_path(), "status": current.status},
        )
    customer = customer_ensure(user=user)
    if not settings.STRIPE_SECRET_KEY:
        return Redirect(local.checkout_url(user=user, plan=plan))
    first_time = not Subscription.objects.filter(customer=customer).exists()
    attempt = idempotency_key or f"{plan.price_id}-{int(time.time()) // ATTEMPT_WINDOW_SECONDS}"
    session = stripe_gateway.subscription_session_create(
        customer_id=customer.id,
        price_id=plan.price_id,
        user_id=user.pk,
        locale=locale,
        return_url=return_url(locale),
        trial_days=settings.SUBSCRIPTION_TRIAL_DAYS if first_time else 0,
        coupon=settings.SUBSCRIPTION_FIRST_TIMER_COUPON if first_time else "",
        attempt=attempt[:200],
    )
    return Redirect(session["url"])


def subscription_portal_start(*, user) -> Redirect:
    """A Stripe customer portal session: switch plan, cancel, change card, invoices."""
    customer = customer_for(user)
    if customer is None:
        raise ApiError(
            "no_subscription",
            "You have no subscription to manage yet.",
            status=404,
            extra={"plans": reverse("subscription-plans")},
        )
    locale = person_language(user)
    if not _stripe_configured():
        return Redirect(local.portal_url(user=user))
    portal = stripe_gateway.billing_portal_session_create(
        customer_id=customer.id, return_url=return_url(locale), locale=locale
    )
    return Redirect(portal["url"])


# ---- The mirror ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    before: SubscriptionState | None
    after: SubscriptionState
    user_id: int | None

    @property
    def changes(self) -> dict[str, tuple]:
        old = self.before.facts() if self.before else {}
        return {
            name: (old.get(name), value)
            for name, value in self.after.facts().items()
            if old.get(name) != value
        }


def _customer_locked(customer_id: str) -> Customer:
    """The mirrored customer, locked; mirrored first when Stripe made it without us (dashboard)."""
    customer = Customer.objects.select_for_update().filter(id=customer_id).first()
    if customer is not None:
        return customer
    data = stripe_gateway.customer_retrieve(customer_id=customer_id)
    try:
        with transaction.atomic():
            Customer.sync_from_stripe_data(data, api_key=settings.STRIPE_SECRET_KEY)
    except IntegrityError:  # a parallel sync mirrored it first
        pass
    return Customer.objects.select_for_update().get(id=customer_id)


def subscription_sync(*, subscription_id: str, customer_id: str) -> SyncResult:
    """Mirror the subscription as Stripe holds it now (see the module's docstring)."""
    with transaction.atomic():
        _customer_locked(customer_id)
        data = stripe_gateway.subscription_retrieve(subscription_id=subscription_id)
        return subscription_mirror(data=data)


def subscription_mirror(*, data: dict) -> SyncResult:
    """Store ``data`` (a subscription, as Stripe holds it now) in the mirror and tell the shopper
    what changed. Call under the customer's lock: :func:`subscription_sync` and the local demo."""
    before = subscription_state(data["id"])
    if settings.STRIPE_SECRET_KEY:
        # dj-stripe walks the items as Stripe's list object, so it gets the object, not a dict.
        stripe_data = stripe.Subscription.construct_from(data, settings.STRIPE_SECRET_KEY)
        mirrored = Subscription.sync_from_stripe_data(stripe_data, api_key=settings.STRIPE_SECRET_KEY)
    else:
        mirrored = local.subscription_put(data=data)
    after = SubscriptionState.from_stripe(data)
    user_id = Customer.objects.filter(id=mirrored.customer_id).values_list("subscriber_id", flat=True).first()
    result = SyncResult(before=before, after=after, user_id=user_id)
    if user_id is not None:
        notices.subscription_changed(user_id=user_id, before=before, after=after)
    return result


# ---- Webhook handlers (registered in shop.payments.stripe_events.HANDLERS) -------------------------------


def subscription_event(subscription: dict, event) -> None:
    """``customer.subscription.*``: look again."""
    subscription_sync(
        subscription_id=subscription["id"], customer_id=stripe_gateway.object_id(subscription.get("customer"))
    )


def invoice_event(invoice: dict, event) -> None:
    """``invoice.paid`` and ``invoice.payment_failed`` of a subscription: look again; a failure
    is also told to the shopper (once per invoice, however often Stripe retries the card)."""
    subscription_id = stripe_gateway.object_id(invoice.get("subscription"))
    if not subscription_id:
        return  # not a subscription's invoice
    result = subscription_sync(
        subscription_id=subscription_id, customer_id=stripe_gateway.object_id(invoice.get("customer"))
    )
    if event.type == "invoice.payment_failed" and result.user_id is not None:
        notices.payment_failed(
            user_id=result.user_id, subscription_id=subscription_id, invoice_id=invoice["id"]
        )


def session_completed(session: dict, event) -> None:
    """A subscription checkout finished: mirror at once, so the return page sees it."""
    subscription_id = stripe_gateway.object_id(session.get("subscription"))
    if subscription_id:
        subscription_sync(
            subscription_id=subscription_id, customer_id=stripe_gateway.object_id(session.get("customer"))
        )


HANDLERS = {
    **dict.fromkeys(MIRRORED_HERE, subscription_event),
    "invoice.paid": invoice_event,
    "invoice.payment_failed": invoice_event,
}


# ---- The person's data (shop.personal_data) -----------------------------------------------------


def subscriptions_export(user) -> list[dict]:
    from shop.subscriptions.state import subscription_states

    return [
        {
            "id": state.id,
            "status": state.status,
            "price": state.price_id,
            "current_period_start": state.period_start,
            "current_period_end": state.period_end,
            "cancel_at_period_end": state.ends_at_period_end,
            "created": state.created,
        }
        for state in subscription_states(user)
    ]


def subscriptions_erase(user) -> None:
    """The person's Stripe customer is deleted (Stripe ends its subscriptions at once, so nobody
    is charged for an account that no longer exists); the mirror keeps the records, without the
    person. When Stripe cannot be reached the erasure fails as a whole and can be asked again."""
    from django.utils import timezone

    from shop.models import SubscriptionNotice

    for customer in Customer.objects.filter(subscriber_id=user.pk):
        if settings.STRIPE_SECRET_KEY and customer.livemode == settings.STRIPE_LIVE_MODE:
            stripe_gateway.customer_delete(customer_id=customer.id)
        customer.subscriber = None
        customer.email = ""
        customer.date_purged = timezone.now()
        customer.save(update_fields=["subscriber", "email", "date_purged"])
    SubscriptionNotice.objects.filter(user_id=user.pk).update(user=None)
