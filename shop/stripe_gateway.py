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

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

import stripe
from django.conf import settings
from oscar.apps.order.models import Order

from config.errors import ApiError

logger = logging.getLogger(__name__)

# Stripe refuses to charge less than this in EUR.
MINIMUM_CHARGE = Decimal("0.50")
# Stripe's metadata values are strings of at most 500 characters.
METADATA_VALUE_LIMIT = 500


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
    ``charge.refunded`` event reports the refund (``shop.stripe_events``). The idempotency key
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
