"""Cancellations and refunds: the shopper or the staff cancel (``booking_cancel``, refunded under
``booking.policy``), a refund made anywhere cancels what it paid for, and the payments that came
too late or booked nothing are given back. Refunds are the shop's (``shop.payments.refund_lines``),
so the credit note and the order's state follow from Stripe's answer like any refund.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from oscar.apps.order.models import Order

from booking import effects, policy
from booking.models import Booking, BookingNotice
from core.errors import ApiError

ZERO = Decimal("0.00")
SLOT_LOST_REASON = "Paid after the held time had gone to someone else."
UNBOOKED_REASON = "A consultation paid for without a time held for it."


def booking_cancel(*, booking: Booking, by: str, reason: str = "", actor=None) -> Booking:
    """Cancel a confirmed booking. The shopper's cancellation follows the policy
    (``booking.policy.cancellation_terms``: a full refund until the deadline, none after); staff
    cancel with a full refund. The refund is the shop's (``refund_lines``), so the credit note and
    the order's state follow from Stripe's answer like any refund."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("order").get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise ApiError("not_cancellable", "Only a confirmed booking can be cancelled.", status=409)
        now = timezone.now()
        if booking.end <= now:
            raise ApiError("already_over", "This consultation has already taken place.", status=409)
        terms = policy.cancellation_terms(booking, now=now, by_staff=(by == Booking.CancelledBy.STAFF))
        booking.refund_amount = _paid(booking) if terms.refund else ZERO
        # Cancelled first: a refund recorded at once (a local payment) reports back through
        # ``order_refunded``, which must find the booking cancelled already, not cancel it twice.
        _cancel(booking, by=by, reason=reason)
        if booking.refund_amount > ZERO:
            _refund(booking, reason=reason or "Cancelled")
    return booking


def bookings_cancel_for_refund(*, order, line_ids) -> list[Booking]:
    """Money for these lines went back (a refund made anywhere, also in Stripe's dashboard): a
    booking they paid for that is still on is cancelled."""
    cancelled = []
    for booking in Booking.objects.filter(order=order, order_line_id__in=list(line_ids)):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.HELD):
                continue
            _cancel(booking, by=Booking.CancelledBy.SYSTEM, reason="Refunded.")
            cancelled.append(booking)
    return cancelled


def slot_lost_refund(*, booking_id: int) -> None:
    """Give back the payment of a booking whose time went to someone else, and say so."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("order").get(pk=booking_id)
        if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
            return
        if booking.cancel_reason == SLOT_LOST_REASON:
            return  # a repeated task: refunded and told already
        booking.refund_amount = _paid(booking)
        _cancelled_mark(booking, by=Booking.CancelledBy.SYSTEM, reason=SLOT_LOST_REASON)
        _refund(booking, reason="The booked time was no longer free when the payment arrived.")
        effects.booking_notify(booking, BookingNotice.Kind.SLOT_LOST)


def unbooked_lines_refund(*, order_id: int, line_ids: list[int]) -> None:
    """Give back what was paid for consultation lines of ``order_id`` that book no time (see
    :func:`bookings_confirm_for_order`). Stripe's idempotency key (order and lines) makes a
    repeated task refund once."""
    order = Order.objects.get(pk=order_id)
    _lines_refund(order, line_ids, reason=UNBOOKED_REASON)


def _cancelled_mark(booking: Booking, *, by: str, reason: str) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = by
    booking.cancel_reason = reason
    booking.sequence += 1
    fields = [
        "status",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "sequence",
        "refund_amount",
        "updated_at",
    ]
    booking.save(update_fields=fields)


def _cancel(booking: Booking, *, by: str, reason: str) -> None:
    """Cancel and tell everyone: the meeting, the consultant's calendar, the shopper."""
    _cancelled_mark(booking, by=by, reason=reason)
    effects.booking_changed(booking, BookingNotice.Kind.CANCELLED)


def _paid(booking: Booking) -> Decimal:
    """What the shopper paid for ``booking``: its order line after discounts."""
    return booking.order.lines.get(pk=booking.order_line_id).line_price_incl_tax


def _refund(booking: Booking, *, reason: str) -> None:
    """Refund the order line that paid for ``booking`` (nothing when nothing was paid)."""
    _lines_refund(booking.order, [booking.order_line_id], reason=reason)


def _lines_refund(order: Order, line_ids: list[int], *, reason: str) -> None:
    from shop.payments.services import refund_lines

    try:
        refund_lines(order=order, line_ids=line_ids, reason=reason)
    except ApiError as error:
        if error.code not in ("nothing_to_refund", "already_refunded"):
            raise
