"""Writes to who-may-watch-what: grants from paid order lines and from staff.

A grant names the item bought (a video, course or bundle, by its ``translation_key``); what a
course or bundle holds is resolved when access is asked (``shop.access.selectors``), so lessons added to a
course later are included. A refund revokes the grants of the refunded lines only: a video also
bought on its own keeps its own grant. A dispute suspends the order's grants until it is won.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from oscar.apps.order.models import Order

from shop.models import Grant

# Product classes whose purchase is a right to watch (consultations are not).
WATCHABLE_PRODUCT_CLASSES = ("video", "course", "bundle")


def _item_key(upc: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(upc)
    except (TypeError, ValueError):
        return None


def grants_for_paid_order(*, order: Order) -> None:
    """One active grant per watchable line of a paid order; lines that have one keep it (safe to
    call again). One read and one insert whatever the order holds."""
    if order.user_id is None:
        return
    grants = [
        Grant(order_line=line, user_id=order.user_id, item_key=item_key, source=Grant.Source.PURCHASE)
        for line in order.lines.select_related("product__product_class")
        if line.product
        and line.product.product_class.slug in WATCHABLE_PRODUCT_CLASSES
        and (item_key := _item_key(line.upc)) is not None
    ]
    Grant.objects.bulk_create(grants, ignore_conflicts=True)


def grants_revoke_for_lines(*, line_ids: Iterable[int], reason: str) -> int:
    """End the grants bought with these order lines; returns how many changed."""
    return (
        Grant.objects.filter(order_line_id__in=list(line_ids))
        .exclude(status=Grant.Status.REVOKED)
        .update(status=Grant.Status.REVOKED, revoked_reason=reason)
    )


def grants_suspend_for_order(*, order: Order) -> int:
    """Hold the order's active grants while its payment is disputed."""
    return Grant.objects.filter(order_line__order=order, status=Grant.Status.ACTIVE).update(
        status=Grant.Status.SUSPENDED
    )


def grants_restore_for_order(*, order: Order) -> int:
    """Give back the order's suspended grants (the dispute was won)."""
    return Grant.objects.filter(order_line__order=order, status=Grant.Status.SUSPENDED).update(
        status=Grant.Status.ACTIVE
    )


def grant_by_staff(*, user, item_key: uuid.UUID, granted_by, reason: str) -> Grant:
    """Give ``user`` access to an item without a purchase, recording who did it and why."""
    return Grant.objects.create(
        user=user, item_key=item_key, source=Grant.Source.STAFF, granted_by=granted_by, reason=reason
    )


def grant_revoke_by_staff(*, grant: Grant, revoked_by, reason: str) -> Grant:
    """End a grant (of any source) by hand, recording who did it and why."""
    grant.status = Grant.Status.REVOKED
    grant.revoked_by = revoked_by
    grant.revoked_reason = reason
    grant.save(update_fields=["status", "revoked_by", "revoked_reason", "changed_at"])
    return grant
