"""The booking app listens to the shop (``shop.signals``); the shop never imports it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from booking.models import Consultant, ConsultationType
from booking.products import products_sync
from booking.services import cancellations, confirmations, holds
from booking.services.consultants import consultant_group_ensure
from shop import signals


def on_checkout_started(sender: Any, order, expires_at, **kwargs: Any) -> None:
    holds.holds_extend_for_checkout(order=order, expires_at=expires_at)


def on_order_paid(sender: Any, order, **kwargs: Any) -> None:
    confirmations.bookings_confirm_for_order(order=order)


def on_order_cancelled(sender: Any, order, **kwargs: Any) -> None:
    holds.holds_drop_for_order(order=order)


def on_order_refunded(sender: Any, order, line_ids, **kwargs: Any) -> None:
    cancellations.bookings_cancel_for_refund(order=order, line_ids=line_ids)


def on_type_saved(sender: Any, instance: ConsultationType, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        products_sync(instance)


def consultants_group_ensure(sender: Any, **kwargs: Any) -> None:
    """After migrating: the "Consultants" group exists with its permissions (post_migrate)."""
    consultant_group_ensure()


def on_consultant_saved(
    sender: Any, instance: Consultant, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A new consultant may sign in to the admin and manage their own hours and bookings."""
    if created and not raw:
        instance.user.groups.add(consultant_group_ensure())


def connect() -> None:
    signals.checkout_started.connect(on_checkout_started, dispatch_uid="booking-checkout-started")
    signals.order_paid.connect(on_order_paid, dispatch_uid="booking-order-paid")
    signals.order_cancelled.connect(on_order_cancelled, dispatch_uid="booking-order-cancelled")
    signals.order_refunded.connect(on_order_refunded, dispatch_uid="booking-order-refunded")
    post_save.connect(on_type_saved, sender=ConsultationType, dispatch_uid="booking-type-products")
    post_save.connect(on_consultant_saved, sender=Consultant, dispatch_uid="booking-consultant-group")
