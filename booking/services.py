"""Writes to bookings: a hold and its basket line, confirmation by payment, lapse, cancellation,
rescheduling and the staff's marks.

Integrity is the database's: on PostgreSQL an exclusion constraint (migration 0002) refuses two
live rows of one consultant whose blocked ranges overlap, so a race between two shoppers ends in
one hold and one ``IntegrityError``, answered 409 ``slot_taken``. The checks before the insert
(``booking.slots.start_check``) give the precise answer for everything else (not on the grid,
inside the notice, beyond the horizon, a limit reached). Daily and weekly limits are not a range
rule a constraint can hold, so every write that takes time locks the consultant's row first; on
SQLite, where there is no exclusion constraint, the ``BEGIN IMMEDIATE`` transaction serialises it.

Money moves only through the shop: the hold puts a line in the shopper's Oscar basket, the shop's
checkout and webhook take the payment (``shop.signals.order_paid`` confirms here), and refunds are
``shop.payments.services.refund_lines``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.apps.basket.models import Basket, Line
from oscar.apps.order.models import LineAttribute, Order
from oscar.core.loading import get_class
from wagtail.log_actions import log as audit_log

from booking import effects, policy
from booking.models import Booking, BookingNotice, Consultant, ConsultationType, feed_secret_new
from booking.products import HOLD_OPTION, PRODUCT_CLASS, hold_option, product_for, product_upc
from booking.selectors import consultation_type_for_key, slot_inputs
from booking.slots import SlotRefused, start_check
from core.errors import ApiError
from core.locale import person_language

Selector = get_class("partner.strategy", "Selector")
logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
OVERLAP_CONSTRAINT = "booking_no_overlap_per_consultant"
FIRST_TIMER_CONSTRAINT = "booking_one_first_timer_rate_per_user"
IDEMPOTENCY_CONSTRAINT = "booking_idempotency_key_per_user"
SLOT_TAKEN = "Someone else has just taken this time; pick another."
# One shopper cannot keep a consultant's week blocked by holding every free time.
MAX_LIVE_HOLDS = 3
SLOT_LOST_REASON = "Paid after the held time had gone to someone else."
FEED_ROTATED_ACTION = "booking.feed_secret_rotate"
UNBOOKED_REASON = "A consultation paid for without a time held for it."


def _refused(error: SlotRefused) -> ApiError:
    return ApiError(error.code, error.message, status=error.status, fields={"start": [error.message]})


def time_zone_check(name: str, *, field: str = "time_zone") -> zoneinfo.ZoneInfo:
    """The IANA time zone ``name``, or 400 ``unknown_time_zone`` naming the request's ``field``."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ApiError(
            "unknown_time_zone",
            f"{name!r} is not an IANA time zone (for example Europe/Berlin).",
            fields={field: [f"Unknown time zone: {name!r}."]},
        ) from error


def _blocked(consultant: Consultant, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return (
        start - timedelta(minutes=consultant.buffer_before_minutes),
        end + timedelta(minutes=consultant.buffer_after_minutes),
    )


def _consultant_locked(consultant_id: int) -> Consultant:
    return Consultant.objects.select_for_update().get(pk=consultant_id)


def _lapsed_overlapping_expire(
    consultant: Consultant, blocked_from: datetime, blocked_until: datetime, now
) -> None:
    """Lapsed holds still hold their range in the exclusion constraint until swept; sweep the
    ones in the way (the beat task ``holds_lapse`` sweeps the rest)."""
    lapsed = Booking.objects.filter(
        consultant=consultant,
        status=Booking.Status.HELD,
        hold_expires_at__lte=now,
        blocked_from__lt=blocked_until,
        blocked_until__gt=blocked_from,
    )
    for booking in lapsed.select_for_update():
        _hold_expire(booking)


def _start_check(
    consultant: Consultant, *, duration: timedelta, start: datetime, now, exclude: int | None = None
):
    window_from, window_to = start - timedelta(days=1), start + duration + timedelta(days=1)
    rules, busy, counted = slot_inputs(
        consultant, window_from=window_from, window_to=window_to, now=now, exclude_booking_id=exclude
    )
    try:
        start_check(rules, duration=duration, busy=busy, counted=counted, now=now, start=start)
    except SlotRefused as error:
        raise _refused(error) from error


def _integrity_refusal(error: IntegrityError) -> ApiError:
    text = str(error)
    if FIRST_TIMER_CONSTRAINT in text:
        return ApiError(
            "first_timer_held",
            "You already hold a consultation at the first-timer rate; finish or drop that one first.",
            status=409,
        )
    if OVERLAP_CONSTRAINT in text:
        return ApiError("slot_taken", SLOT_TAKEN, status=409)
    raise error


# ---- Holds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldRequest:
    type_key: uuid.UUID
    start: datetime
    time_zone: str

    def fingerprint(self) -> str:
        body = {"type": str(self.type_key), "start": self.start.isoformat(), "time_zone": self.time_zone}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _replay(user, idempotency_key: str, fingerprint: str) -> Booking | None:
    if not idempotency_key:
        return None
    booking = Booking.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if booking is not None and booking.request_fingerprint != fingerprint:
        raise ApiError(
            "idempotency_key_reused", "This Idempotency-Key was used with another request body.", status=409
        )
    return booking


def hold_place(
    *, user, type_key: uuid.UUID, start: datetime, time_zone: str, request=None, idempotency_key: str = ""
) -> Booking:
    """Hold ``start`` for ``user`` and put the line that pays for it in their basket.

    Refusals, each an ``ApiError`` and nothing held: 400 ``unknown_type``, ``unknown_time_zone``,
    ``not_on_grid``; 422 ``in_the_past``, ``too_soon``, ``beyond_horizon``, ``outside_hours``;
    409 ``slot_taken``, ``limit_reached``, ``item_unavailable``, ``first_timer_held``,
    ``too_many_holds``.
    """
    time_zone_check(time_zone)
    consultation_type = consultation_type_for_key(type_key)
    if consultation_type is None:
        raise ApiError("unknown_type", "There is no such consultation.", fields={"type": ["Unknown type."]})
    wanted = HoldRequest(type_key=type_key, start=start, time_zone=time_zone)
    if replay := _replay(user, idempotency_key, wanted.fingerprint()):
        return replay
    try:
        return _hold_create(
            user=user,
            consultation_type=consultation_type,
            wanted=wanted,
            request=request,
            idempotency_key=idempotency_key,
        )
    except IntegrityError as error:
        racing = idempotency_key and IDEMPOTENCY_CONSTRAINT in str(error)
        if racing and (replay := _replay(user, idempotency_key, wanted.fingerprint())):
            return replay
        raise _integrity_refusal(error) from error


@transaction.atomic
def _hold_create(
    *, user, consultation_type: ConsultationType, wanted: HoldRequest, request, idempotency_key: str
) -> Booking:
    now = timezone.now()
    consultant = _consultant_locked(consultation_type.consultant_id)
    duration = timedelta(minutes=consultation_type.duration_minutes)
    start = wanted.start.astimezone(zoneinfo.ZoneInfo("UTC"))
    end = start + duration
    blocked_from, blocked_until = _blocked(consultant, start, end)
    _lapsed_overlapping_expire(consultant, blocked_from, blocked_until, now)
    _start_check(consultant, duration=duration, start=start, now=now)
    live_holds = Booking.objects.filter(user=user, status=Booking.Status.HELD, hold_expires_at__gt=now)
    if live_holds.count() >= MAX_LIVE_HOLDS:
        raise ApiError(
            "too_many_holds",
            f"You hold {MAX_LIVE_HOLDS} times already; pay for them or let one go first.",
            status=409,
        )

    first_timer = policy.first_timer_applies(user, consultation_type)
    product = product_for(consultation_type, first_timer=first_timer)
    if product is None:
        raise ApiError("item_unavailable", "This consultation cannot be booked at the moment.", status=409)
    booking = Booking.objects.create(
        consultant=consultant,
        type=consultation_type,
        user=user,
        status=Booking.Status.HELD,
        start=start,
        end=end,
        blocked_from=blocked_from,
        blocked_until=blocked_until,
        hold_expires_at=now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
        time_zone=wanted.time_zone,
        language=person_language(user),
        first_timer=first_timer,
        price=(consultation_type.first_timer_price if first_timer else consultation_type.price),
        meeting_provider=consultant.meeting_provider,
        idempotency_key=idempotency_key,
        request_fingerprint=wanted.fingerprint(),
    )
    basket = Basket.open.filter(owner=user).order_by("pk").first() or Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(request=request, user=user)
    line, _ = basket.add_product(product, 1, options=[{"option": hold_option(), "value": str(booking.pk)}])
    booking.basket_id, booking.basket_line_id = basket.pk, line.pk
    booking.save(update_fields=["basket_id", "basket_line_id", "updated_at"])
    return booking


def _basket_line_remove(booking: Booking) -> None:
    """Take the hold's line out of a basket still open (a frozen one belongs to an order)."""
    if booking.basket_line_id:
        Line.objects.filter(pk=booking.basket_line_id, basket__status=Basket.OPEN).delete()


def _hold_expire(booking: Booking) -> None:
    booking.status = Booking.Status.EXPIRED
    booking.save(update_fields=["status", "updated_at"])
    _basket_line_remove(booking)


def hold_release(*, booking: Booking) -> Booking:
    """The shopper drops their hold (or removes its basket line): the time is free again."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Booking.Status.HELD:
            raise ApiError("not_held", "This booking is no longer a hold.", status=409)
        if booking.order_id is not None:
            raise ApiError(
                "payment_started", "This hold is being paid for; cancel the checkout first.", status=409
            )
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = Booking.CancelledBy.SHOPPER
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        _basket_line_remove(booking)
    return booking


def holds_lapse(*, now: datetime | None = None) -> int:
    """Expire every hold whose time is up and that no payment is waiting for. Returns how many."""
    now = now or timezone.now()
    count = 0
    lapsed = Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(lapsed[:1000]):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().filter(pk=pk, status=Booking.Status.HELD).first()
            if booking is not None and booking.hold_expires_at <= now:
                _hold_expire(booking)
                count += 1
    return count


def holds_extend_for_checkout(*, order, expires_at: datetime | None) -> int:
    """The shopper went to pay: their holds in this order last as long as the payment may take."""
    hold_ids = _hold_lines_of(order)
    if not hold_ids:
        return 0
    holds = Booking.objects.select_for_update().filter(pk__in=hold_ids, status=Booking.Status.HELD)
    count = 0
    for booking in holds:
        booking.order = order
        if expires_at is not None and booking.hold_expires_at and expires_at > booking.hold_expires_at:
            booking.hold_expires_at = expires_at
        booking.save(update_fields=["order", "hold_expires_at", "updated_at"])
        count += 1
    return count


def _hold_lines_of(order) -> dict[int, int]:
    """{booking id: order line id} for the lines of ``order`` that are the lines their holds created.

    The option alone proves nothing: it is a value on a basket line. The line is the hold's own
    when it is the hold's shopper's order of the basket the hold went into, the basket line the
    hold created is still in that basket with the same product, and that product is the
    consultation's at the rate and price the hold was given (before discounts: a voucher may
    lower what is paid). Any other line naming a hold (another product, another price, a line
    taken out of the basket, another basket or shopper) holds, extends or confirms nothing.
    """
    claims = []
    attributes = LineAttribute.objects.filter(line__order=order, option__code=HOLD_OPTION)
    for attribute in attributes.select_related("line__product"):
        try:
            claims.append((int(attribute.value), attribute.line))
        except (TypeError, ValueError):
            claims.append((None, attribute.line))
    bookings = Booking.objects.select_related("type").in_bulk({pk for pk, _ in claims if pk is not None})
    basket_products = dict(
        Line.objects.filter(
            basket_id=order.basket_id,
            pk__in=[booking.basket_line_id for booking in bookings.values() if booking.basket_line_id],
        ).values_list("pk", "product_id")
    )
    own: dict[int, int] = {}
    for booking_id, line in claims:
        booking = bookings.get(booking_id)
        matches = booking is not None and _is_own_line(booking, order, line, basket_products)
        if matches and booking.pk not in own:
            own[booking.pk] = line.pk
        else:
            logger.error(
                "Order %s line %s names booking %s but is not the line its hold created.",
                order.number,
                line.pk,
                booking_id,
            )
    return own


def _is_own_line(booking: Booking, order, line, basket_products: dict[int, int]) -> bool:
    product = line.product
    return (
        booking.user_id is not None
        and booking.user_id == order.user_id
        and booking.basket_id is not None
        and booking.basket_id == order.basket_id
        and product is not None
        and basket_products.get(booking.basket_line_id) == product.pk
        and product.upc == product_upc(booking.type.translation_key, first_timer=booking.first_timer)
        and line.quantity == 1
        and line.line_price_before_discounts_incl_tax == booking.price
    )


# ---- Payment -----------------------------------------------------------------------------------


def bookings_confirm_for_order(*, order) -> list[Booking]:
    """``order`` was paid: confirm the bookings its lines hold. A hold that lapsed is taken again if
    its time is still free; otherwise the line is refunded and the shopper told (``SLOT_LOST``).

    Only the line a hold created confirms it (:func:`_hold_lines_of`). A consultation line that
    confirms nothing (it names no hold, or not as its own line) was paid for nothing booked: it
    is refunded, and logged as an error for the staff. Any other product is what was paid for,
    whatever option its line carries; it confirms nothing.
    """
    hold_lines = _hold_lines_of(order)
    confirmed = []
    for booking_id, line_id in hold_lines.items():
        booking = _booking_confirm(booking_id=booking_id, order=order, line_id=line_id)
        if booking is not None:
            confirmed.append(booking)
    unbooked = list(
        order.lines.filter(product__product_class__slug=PRODUCT_CLASS)
        .exclude(pk__in=hold_lines.values())
        .values_list("pk", flat=True)
    )
    if unbooked:
        logger.error("Order %s paid consultation lines %s that book no time.", order.number, unbooked)
        transaction.on_commit(lambda: _unbooked_refund_later(order.pk, unbooked))
    return confirmed


def _booking_confirm(*, booking_id: int, order, line_id: int) -> Booking | None:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
            return booking  # a repeated event
        consultant = _consultant_locked(booking.consultant_id)
        now = timezone.now()
        booking.order, booking.order_line_id = order, line_id
        # A hold still standing keeps its time, unless the payment came after the meeting began.
        held = booking.status == Booking.Status.HELD and booking.start > now
        retaken = held or _slot_retake(booking, consultant, now)
        if not retaken:
            booking.save(update_fields=["order", "order_line_id", "updated_at"])
            transaction.on_commit(lambda: _slot_lost_later(booking.pk))
            return None
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.hold_expires_at = None
        booking.save(
            update_fields=[
                "status",
                "confirmed_at",
                "hold_expires_at",
                "order",
                "order_line_id",
                "updated_at",
            ]
        )
        effects.booking_changed(booking, BookingNotice.Kind.CONFIRMED)
    return booking


def _slot_retake(booking: Booking, consultant: Consultant, now: datetime) -> bool:
    """A paid booking whose hold lapsed: take its time again if nobody else has it and it has not
    begun. The exclusion constraint decides a race."""
    if booking.start <= now:
        return False
    _lapsed_overlapping_expire(consultant, booking.blocked_from, booking.blocked_until, now)
    clash = (
        Booking.objects.blocking()
        .filter(
            consultant=consultant,
            blocked_from__lt=booking.blocked_until,
            blocked_until__gt=booking.blocked_from,
        )
        .exclude(pk=booking.pk)
        .exists()
    )
    if clash:
        return False
    try:
        with transaction.atomic():
            Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED)
    except IntegrityError:
        return False
    return True


def _slot_lost_later(booking_id: int) -> None:
    from booking.tasks import booking_slot_lost_refund

    booking_slot_lost_refund.delay(booking_id)


def _unbooked_refund_later(order_id: int, line_ids: list[int]) -> None:
    from booking.tasks import booking_unbooked_lines_refund

    booking_unbooked_lines_refund.delay(order_id, line_ids)


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


def unbooked_lines_refund(*, order_id: int, line_ids: list[int]) -> None:
    """Give back what was paid for consultation lines of ``order_id`` that book no time (see
    :func:`bookings_confirm_for_order`). Stripe's idempotency key (order and lines) makes a
    repeated task refund once."""
    order = Order.objects.get(pk=order_id)
    _lines_refund(order, line_ids, reason=UNBOOKED_REASON)


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


def holds_drop_for_order(*, order) -> int:
    """The order will not be paid: its holds end now and the time is free again."""
    count = 0
    for booking in Booking.objects.filter(pk__in=list(_hold_lines_of(order))):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if booking.status == Booking.Status.HELD:
                _hold_expire(booking)
                count += 1
    return count


# ---- Cancel, reschedule, staff marks -----------------------------------------------------------


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


def booking_reschedule(*, booking: Booking, start: datetime, by_staff: bool = False) -> Booking:
    """Move a confirmed booking to another free start; the payment stays with it."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise ApiError("not_reschedulable", "Only a confirmed booking can be moved.", status=409)
        now = timezone.now()
        policy.reschedule_check(booking, now=now, by_staff=by_staff)
        consultant = _consultant_locked(booking.consultant_id)
        duration = booking.end - booking.start
        start = start.astimezone(zoneinfo.ZoneInfo("UTC"))
        if start == booking.start:
            raise ApiError("same_time", "The booking is already at this time.", status=409)
        blocked_from, blocked_until = _blocked(consultant, start, start + duration)
        _lapsed_overlapping_expire(consultant, blocked_from, blocked_until, now)
        _start_check(consultant, duration=duration, start=start, now=now, exclude=booking.pk)
        booking.start, booking.end = start, start + duration
        booking.blocked_from, booking.blocked_until = blocked_from, blocked_until
        booking.sequence += 1
        booking.reschedule_count += 1
        try:
            with transaction.atomic():
                booking.save(
                    update_fields=[
                        "start",
                        "end",
                        "blocked_from",
                        "blocked_until",
                        "sequence",
                        "reschedule_count",
                        "updated_at",
                    ]
                )
        except IntegrityError as error:
            raise _integrity_refusal(error) from error
        effects.booking_changed(booking, BookingNotice.Kind.RESCHEDULED)
    return booking


STAFF_MARKS = (Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def booking_status_set(*, booking: Booking, status: str, actor=None) -> Booking:
    """Staff mark a confirmed consultation that has begun as completed or a no-show."""
    if status not in STAFF_MARKS:
        raise ApiError("invalid", "Mark a booking completed or a no-show.", fields={"status": [status]})
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status not in (Booking.Status.CONFIRMED, *STAFF_MARKS):
            raise ApiError("not_markable", "Only a confirmed booking can be marked.", status=409)
        if booking.start > timezone.now():
            raise ApiError("not_started", "This consultation has not begun yet.", status=409)
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
    return booking


# ---- Consultants -------------------------------------------------------------------------------


def consultant_rotate_feed_secret(*, consultant: Consultant, actor=None) -> Consultant:
    """Give ``consultant``'s private calendar feed a new address.

    The secret in the address is the feed's only key (calendar apps cannot log in), so a leaked
    address is closed by replacing it: the old one answers 404 at once, and the consultant's
    calendar app subscribes to the new one. Recorded in Wagtail's audit log (the consultant's
    history), with who did it.
    """
    with transaction.atomic():
        consultant = Consultant.objects.select_for_update().get(pk=consultant.pk)
        consultant.feed_secret = feed_secret_new()
        consultant.save(update_fields=["feed_secret"])
        audit_log(consultant, FEED_ROTATED_ACTION, user=actor)
    return consultant
