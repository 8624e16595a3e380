"""Holds: a shopper holds a time and its basket line (``hold_place``), drops it, lets it lapse,
takes it to checkout, or the order is abandoned; and which order lines are a hold's own
(``hold_lines_of``), the one proof that a payment is for a hold.

Money moves only through the shop: the hold puts a line in the shopper's Oscar basket, the shop's
checkout and webhook take the payment (``booking.services.confirmations``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.apps.basket.models import Basket, Line
from oscar.apps.order.models import LineAttribute
from oscar.core.loading import get_class

from booking import policy
from booking.models import Booking, ConsultationType
from booking.products import HOLD_OPTION, hold_option, product_for, product_upc
from booking.selectors import consultation_type_for_key
from booking.services.slot_taking import (
    basket_line_remove,
    blocked_range,
    consultant_locked,
    hold_expire,
    integrity_refusal,
    lapsed_overlapping_expire,
    start_check_locked,
    time_zone_check,
)
from core.errors import ApiError
from core.locale import person_language

Selector = get_class("partner.strategy", "Selector")
logger = logging.getLogger(__name__)
IDEMPOTENCY_CONSTRAINT = "booking_idempotency_key_per_user"
# One shopper cannot keep a consultant's week blocked by holding every free time.
MAX_LIVE_HOLDS = 3


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
        raise integrity_refusal(error) from error


@transaction.atomic
def _hold_create(
    *, user, consultation_type: ConsultationType, wanted: HoldRequest, request, idempotency_key: str
) -> Booking:
    now = timezone.now()
    consultant = consultant_locked(consultation_type.consultant_id)
    duration = timedelta(minutes=consultation_type.duration_minutes)
    start = wanted.start.astimezone(zoneinfo.ZoneInfo("UTC"))
    end = start + duration
    blocked_from, blocked_until = blocked_range(consultant, start, end)
    lapsed_overlapping_expire(consultant, blocked_from, blocked_until, now)
    start_check_locked(consultant, duration=duration, start=start, now=now)
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
        basket_line_remove(booking)
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
                hold_expire(booking)
                count += 1
    return count


def holds_extend_for_checkout(*, order, expires_at: datetime | None) -> int:
    """The shopper went to pay: their holds in this order last as long as the payment may take."""
    hold_ids = hold_lines_of(order)
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


def holds_drop_for_order(*, order) -> int:
    """The order will not be paid: its holds end now and the time is free again."""
    count = 0
    for booking in Booking.objects.filter(pk__in=list(hold_lines_of(order))):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if booking.status == Booking.Status.HELD:
                hold_expire(booking)
                count += 1
    return count


def hold_lines_of(order) -> dict[int, int]:
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
