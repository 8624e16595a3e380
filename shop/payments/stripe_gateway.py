"""Every call the project makes to Stripe's API, in one place.

Each function takes our objects, builds Stripe's parameters and returns Stripe's answer; nothing
here writes to our database. Creates carry an idempotency key derived from what they create, so a
retried request (by stripe-python on a network error, or by us) never makes a second session or
refund. A Stripe failure becomes an :class:`ApiError`: 502 ``payment_provider_unavailable`` when
Stripe cannot be reached or fails, a 4xx when the request itself cannot be done.

Amounts: Stripe counts EUR in cents; :func:`to_cents` and :func:`from_cents` are the only
conversions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

import stripe
from django.conf import settings
from oscar.apps.order.models import Order

from core.errors import ApiError

logger = logging.getLogger(__name__)

# Stripe refuses to charge less than this in EUR.
MINIMUM_CHARGE = Decimal("0.50")
# Stripe's metadata values are strings of at most 500 characters.
METADATA_VALUE_LIMIT = 500


def object_id(value) -> str:
    """An id from a field Stripe sends either as an id or as the expanded object."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def to_cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


def line_ids_encode(line_ids: Iterable[int]) -> str:
    return ",".join(str(line_id) for line_id in sorted(set(line_ids)))


def line_ids_decode(value: str | None) -> list[int]:
    """The order line ids a refund's metadata names (our :func:`refund_create` writes them)."""
    return sorted({int(part) for part in (value or "").split(",") if part.strip().isdigit()})


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_version: str, retries: int, timeout: float) -> stripe.StripeClient:
    # One client (and connection pool) per configuration; settings may change in tests.
    return stripe.StripeClient(
        api_key,
        stripe_version=api_version,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def _client() -> stripe.StripeClient:
    return _client_for(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_VERSION,
        settings.STRIPE_MAX_NETWORK_RETRIES,
        settings.STRIPE_TIMEOUT_SECONDS,
    )


def _unavailable(error: stripe.StripeError, doing: str) -> ApiError:
    logger.error("Stripe failed while %s: %s", doing, error)
    return ApiError(
        "payment_provider_unavailable",
        "The payment provider cannot be reached right now; nothing was charged. Try again shortly.",
        status=502,
    )


def checkout_session_create(*, order: Order, checkout, locale: str, return_url: str) -> dict:
    """A Stripe Checkout Session (payment mode) for ``order``.

    One line item per order line at the line's gross amount after discounts (quantity 1), so the
    session's total is the order's total to the cent and the shopper sees what they bought.
    ``checkout`` is the :class:`shop.models.Checkout` row this session belongs to; its id makes the
    idempotency key, so each attempt gets its own session and a retry of one attempt does not.
    The shopper comes back to ``return_url`` after paying or cancelling.
    """
    lines = list(order.lines.all())
    expires_at = int(checkout.expires_at.timestamp())
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.currency.lower(),
                    "unit_amount": to_cents(line.line_price_incl_tax),
                    "product_data": {"name": line.title[:250], "metadata": {"upc": line.upc or ""}},
                },
            }
            for line in lines
        ],
        "customer_email": order.email,
        "locale": locale,
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number, "checkout_id": str(checkout.pk)},
        "payment_intent_data": {"metadata": {"order_number": order.number}},
        "success_url": return_url,
        "cancel_url": f"{return_url}?cancelled=1",
        "expires_at": expires_at,
    }
    try:
        session = _client().v1.checkout.sessions.create(
            params, options={"idempotency_key": f"checkout-session-{order.number}-{checkout.pk}"}
        )
    except stripe.StripeError as error:
        raise _unavailable(error, f"creating the checkout session of order {order.number}") from error
    return session.to_dict()


def checkout_session_expire(*, session_id: str) -> dict:
    """End an open session, so the shopper's basket comes back at once (409 when it is not open)."""
    try:
        return _client().v1.checkout.sessions.expire(session_id).to_dict()
    except stripe.InvalidRequestError as error:
        raise ApiError(
            "checkout_not_cancellable",
            "This checkout can no longer be cancelled; it is being paid or has ended.",
            status=409,
        ) from error
    except stripe.StripeError as error:
        raise _unavailable(error, f"expiring checkout session {session_id}") from error


def payment_intent_retrieve(*, payment_intent_id: str) -> dict:
    """A payment intent, for its ``metadata.order_number`` when an event names nothing else.
    Errors propagate: the event is processed again later."""
    return _client().v1.payment_intents.retrieve(payment_intent_id).to_dict()


def refunds_for_charge(*, charge_id: str) -> list[dict]:
    """Every refund of a charge (events of our API version no longer embed them in the charge).
    Errors propagate: the event is processed again later."""
    refunds = _client().v1.refunds.list({"charge": charge_id, "limit": 100})
    return [refund.to_dict() for refund in refunds.auto_paging_iter()]


def refund_create(
    *, order: Order, payment_intent_id: str, line_ids: list[int], amount: Decimal, reason: str
) -> dict:
    """Give back ``amount`` of ``order``'s payment for the order lines ``line_ids``.

    The lines travel in the refund's metadata; the order changes only when Stripe's
    ``charge.refunded`` event reports the refund (``shop.payments.stripe_events``). The idempotency key
    names the order and lines, so pressing the button twice refunds once.
    """
    encoded = line_ids_encode(line_ids)
    params = {
        "payment_intent": payment_intent_id,
        "amount": to_cents(amount),
        "reason": "requested_by_customer",
        "metadata": {
            "order_number": order.number,
            "line_ids": encoded,
            "reason": reason[:METADATA_VALUE_LIMIT],
        },
    }
    try:
        refund = _client().v1.refunds.create(
            params, options={"idempotency_key": f"refund-{order.number}-{encoded}"}
        )
    except stripe.InvalidRequestError as error:
        raise ApiError(
            "refund_refused",
            f"Stripe refused the refund: {error.user_message or error}",
            status=409,
        ) from error
    except stripe.StripeError as error:
        raise _unavailable(error, f"refunding order {order.number}") from error
    return refund.to_dict()


def timestamp(value: int | None) -> datetime | None:
    """A Stripe timestamp (seconds since the epoch) as an aware datetime."""
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def _plain(obj) -> dict:
    """A Stripe object as JSON gives it (stripe-python turns decimal strings into ``Decimal``s,
    which the mirror's JSON fields cannot store)."""
    return json.loads(json.dumps(obj.to_dict(), default=str))


# ---- Subscriptions (shop.subscriptions) ---------------------------------------------------------


def customer_create(*, user_id: int, email: str, name: str, locale: str) -> dict:
    """The shopper's one Stripe customer. The idempotency key names the user, so two tabs
    subscribing at once (or a retry) make one customer; ``djstripe_subscriber`` is the metadata
    dj-stripe links its ``Customer`` mirror to the user by."""
    params = {
        "email": email,
        "name": name[:250],
        "preferred_locales": [locale],
        "metadata": {"djstripe_subscriber": str(user_id)},
    }
    try:
        customer = _client().v1.customers.create(
            params, options={"idempotency_key": f"customer-user-{user_id}"}
        )
    except stripe.StripeError as error:
        raise _unavailable(error, f"creating the customer of user {user_id}") from error
    return _plain(customer)


def subscription_session_create(
    *,
    customer_id: str,
    price_id: str,
    user_id: int,
    locale: str,
    return_url: str,
    trial_days: int,
    coupon: str,
    attempt: str,
) -> dict:
    """A Stripe Checkout Session in subscription mode for one price. ``attempt`` makes the
    idempotency key (one per press of the button, the same for its retries)."""
    params: dict = {
        "mode": "subscription",
        "customer": customer_id,
        "line_items": [{"price": price_id, "quantity": 1}],
        "locale": locale,
        "client_reference_id": str(user_id),
        "metadata": {"user_id": str(user_id)},
        "subscription_data": {"metadata": {"user_id": str(user_id)}},
        "success_url": return_url,
        "cancel_url": f"{return_url}?cancelled=1",
    }
    if trial_days:
        params["subscription_data"]["trial_period_days"] = trial_days
    if coupon:
        params["discounts"] = [{"coupon": coupon}]
    try:
        session = _client().v1.checkout.sessions.create(
            params, options={"idempotency_key": f"subscription-session-{user_id}-{attempt}"}
        )
    except stripe.StripeError as error:
        raise _unavailable(error, f"creating a subscription checkout for user {user_id}") from error
    return _plain(session)


def billing_portal_session_create(*, customer_id: str, return_url: str, locale: str) -> dict:
    """A customer portal session (switch plan, cancel, change card); its URL works once, briefly."""
    try:
        portal = _client().v1.billing_portal.sessions.create(
            {"customer": customer_id, "return_url": return_url, "locale": locale}
        )
    except stripe.StripeError as error:
        raise _unavailable(error, f"opening the customer portal of {customer_id}") from error
    return _plain(portal)


def subscription_retrieve(*, subscription_id: str) -> dict:
    """A subscription as Stripe holds it now. Errors propagate: the event is processed again."""
    return _plain(_client().v1.subscriptions.retrieve(subscription_id))


def subscriptions_list(*, status: str) -> list[dict]:
    """Every subscription in ``status`` (``active``, ``past_due``, ``trialing``, ``all``)."""
    found = _client().v1.subscriptions.list({"status": status, "limit": 100})
    return [_plain(subscription) for subscription in found.auto_paging_iter()]


def product_create(*, key: str, name: str) -> dict:
    product = _client().v1.products.create({"name": name}, options={"idempotency_key": f"product-{key}"})
    return _plain(product)


def price_create(*, key: str, product_id: str, amount: Decimal, interval: str) -> dict:
    params = {
        "product": product_id,
        "currency": "eur",
        "unit_amount": to_cents(amount),
        "recurring": {"interval": interval},
        "tax_behavior": "inclusive",
        "lookup_key": key,
    }
    return _plain(_client().v1.prices.create(params, options={"idempotency_key": f"price-{key}"}))


def price_retrieve(*, price_id: str) -> dict:
    return _plain(_client().v1.prices.retrieve(price_id, {"expand": ["product"]}))


def customer_retrieve(*, customer_id: str) -> dict:
    return _plain(_client().v1.customers.retrieve(customer_id))


def customer_delete(*, customer_id: str) -> None:
    """Delete a customer in Stripe, which also ends its subscriptions at once (an erased person
    must not be charged again). A customer Stripe no longer knows is gone already."""
    try:
        _client().v1.customers.delete(customer_id)
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise _unavailable(error, f"deleting customer {customer_id}") from error
    except stripe.StripeError as error:
        raise _unavailable(error, f"deleting customer {customer_id}") from error
