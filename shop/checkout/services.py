"""Checkout: the shopper's basket becomes an order waiting for payment, and a way to pay it.

:func:`checkout_start` places the order (``shop.checkout.ordering``) and records one :class:`Checkout` for
it, then picks how it is paid:

- nothing to pay → paid at once, through the same fact as a payment (``shop.payments.services``);
- ``STRIPE_SECRET_KEY`` set → a Stripe Checkout Session (``shop.payments.stripe_gateway``);
- DEBUG without a key → the local payment page (``shop.checkout.local_payment``);
- otherwise 503 ``payments_not_configured``.

All of it is one transaction: if Stripe fails, no order is left and the basket stays open. The
``Idempotency-Key`` header makes a retried request give the first answer again (same key, same
body) or 409 ``idempotency_key_reused`` (same key, other body); no second order either way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.apps.basket.models import Basket
from oscarapi.basket.operations import assign_basket_strategy, get_user_basket

from core.errors import ApiError
from core.locale import person_language
from core.money import CURRENCY, money
from shop.checkout.local_payment import local_payment_url
from shop.checkout.ordering import order_place, return_url
from shop.models import Checkout
from shop.payments import services as payments
from shop.payments import stripe_gateway
from shop.signals import checkout_started
from shop.statuses import PAID_ORDER_STATUSES, OrderStatus

IDEMPOTENCY_KEY_MAX_LENGTH = 255
# Stripe accepts a session lifetime of 30 minutes to 24 hours from when it receives the request.
SESSION_MINUTES = (30, 24 * 60)


@dataclass(frozen=True)
class CheckoutState:
    """What the shopper's front end needs to know about a checkout."""

    order_number: str
    status: str  # pending | paid | failed
    order_status: str
    total: Decimal
    currency: str
    checkout_url: str | None
    expires_at: datetime | None


def shopper_basket(request) -> Basket:
    """The caller's open basket, priced and with offers and vouchers applied (as oscar-api shows it)."""
    return assign_basket_strategy(get_user_basket(request.user), request)


def checkout_start(
    *,
    user,
    basket: Basket,
    idempotency_key: str = "",
    expected_total: Decimal | None = None,
    request=None,
) -> CheckoutState:
    """Place the order for ``basket`` and start paying for it (see the module's description)."""
    if user is None or not user.is_authenticated:
        raise ApiError("not_authenticated", "Log in to check out.", status=401)
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ApiError(
            "invalid", "The Idempotency-Key is too long.", fields={"Idempotency-Key": ["Too long."]}
        )
    fingerprint = _fingerprint(expected_total=expected_total)
    if idempotency_key and (replay := _replay(user, idempotency_key, fingerprint)):
        return replay
    try:
        checkout = _checkout_create(
            user=user,
            basket=basket,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            expected_total=expected_total,
            request=request,
        )
    except (IntegrityError, ApiError) as error:
        # A parallel request with the same key got there first (it froze the basket, or took the key).
        racing = isinstance(error, IntegrityError) or error.code == "basket_frozen"
        if idempotency_key and racing and (replay := _replay(user, idempotency_key, fingerprint)):
            return replay
        raise
    return checkout_state(checkout, started=True)


def _fingerprint(**body) -> str:
    canonical = json.dumps(
        {key: None if value is None else str(value) for key, value in body.items()}, sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(user, idempotency_key: str, fingerprint: str) -> CheckoutState | None:
    checkout = (
        Checkout.objects.select_related("order").filter(user=user, idempotency_key=idempotency_key).first()
    )
    if checkout is None:
        return None
    if checkout.request_fingerprint != fingerprint:
        raise ApiError(
            "idempotency_key_reused",
            "This Idempotency-Key was used with another request body.",
            status=409,
        )
    return checkout_state(checkout, started=True)


def _provider(total: Decimal) -> str:
    if total <= 0:
        return Checkout.Provider.FREE
    if settings.STRIPE_SECRET_KEY:
        if total < stripe_gateway.MINIMUM_CHARGE:
            raise ApiError(
                "total_below_minimum",
                f"Card payments start at {stripe_gateway.MINIMUM_CHARGE} EUR; add something to the basket.",
                status=422,
            )
        return Checkout.Provider.STRIPE
    if settings.DEBUG:
        return Checkout.Provider.LOCAL
    raise ApiError("payments_not_configured", "Payments are not set up on this server.", status=503)


def _session_expiry(now: datetime) -> datetime:
    low, high = SESSION_MINUTES
    minutes = min(max(settings.STRIPE_CHECKOUT_EXPIRY_MINUTES, low), high)
    # A minute's slack at the lower end: Stripe counts from when the request reaches it.
    return now + timedelta(minutes=minutes) + timedelta(seconds=60 if minutes < high else -60)


@transaction.atomic
def _checkout_create(
    *, user, basket: Basket, idempotency_key: str, fingerprint: str, expected_total: Decimal | None, request
) -> Checkout:
    total = basket.total_incl_tax
    if expected_total is not None and expected_total != total:
        raise ApiError(
            "basket_changed",
            "The basket's total changed since you saw it; check it and try again.",
            status=409,
            extra={"total": money(total, basket.currency or CURRENCY)},
        )
    order = order_place(basket=basket, user=user, email=user.email, request=request)
    provider = _provider(order.total_incl_tax)  # the order's total is final (discounts re-checked)
    now = timezone.now()
    locale = person_language(user)
    checkout = Checkout.objects.create(
        order=order,
        user=user,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        provider=provider,
        expires_at=None if provider == Checkout.Provider.FREE else _session_expiry(now),
    )
    if provider == Checkout.Provider.STRIPE:
        session = stripe_gateway.checkout_session_create(
            order=order, checkout=checkout, locale=locale, return_url=return_url(order, locale)
        )
        checkout.stripe_session_id = session["id"]
        checkout.url = session["url"]
        checkout.expires_at = stripe_gateway.timestamp(session.get("expires_at")) or checkout.expires_at
    elif provider == Checkout.Provider.LOCAL:
        checkout.url = local_payment_url(order)
    else:
        checkout.url = return_url(order, locale)
    checkout.save(update_fields=["stripe_session_id", "url", "expires_at", "updated_at"])
    checkout_started.send(sender=type(order), order=order, expires_at=checkout.expires_at)
    if provider == Checkout.Provider.FREE:
        checkout = payments.payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=now)
    return checkout


# ---- Reads and the shopper's own cancel --------------------------------------------------------


def checkout_state(checkout: Checkout, *, started: bool = False) -> CheckoutState:
    """The state for the return page. ``checkout_url`` is where to send the shopper: the answer to
    starting a checkout always has it; a status answer only while the order can still be paid."""
    order = checkout.order
    if order.status in PAID_ORDER_STATUSES:
        status = "paid"
    elif order.status == OrderStatus.CANCELLED:
        status = "failed"
    else:
        status = "pending"
    payable = (
        status == "pending"
        and checkout.provider != Checkout.Provider.FREE
        and (checkout.expires_at is None or checkout.expires_at > timezone.now())
    )
    return CheckoutState(
        order_number=order.number,
        status=status,
        order_status=order.status,
        total=order.total_incl_tax,
        currency=order.currency,
        checkout_url=checkout.url if started or payable else None,
        expires_at=checkout.expires_at,
    )


def _checkout_of(user, number: str) -> Checkout:
    checkout = Checkout.objects.select_related("order").filter(order__number=number, order__user=user).first()
    if checkout is None:  # someone else's order is as unknown as a made-up number
        raise ApiError("not_found", "No such order.", status=404)
    return checkout


def checkout_status(*, user, number: str) -> CheckoutState:
    return checkout_state(_checkout_of(user, number))


def checkout_cancel(*, user, number: str) -> CheckoutState:
    """The shopper gives up paying (Stripe's "back" link): the session is ended at Stripe, the
    order cancelled and the basket given back now rather than when the session lapses."""
    checkout = _checkout_of(user, number)
    if checkout.order.status != OrderStatus.PENDING:
        raise ApiError("checkout_not_cancellable", "This order is no longer waiting for payment.", status=409)
    if checkout.provider == Checkout.Provider.STRIPE and checkout.stripe_session_id:
        stripe_gateway.checkout_session_expire(session_id=checkout.stripe_session_id)
    checkout = payments.checkout_expired(checkout=checkout, at=timezone.now())
    return checkout_state(checkout)
