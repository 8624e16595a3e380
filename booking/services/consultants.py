"""Writes to consultants: their private calendar feed's new address, and the "Consultants" group
whose permissions let a consultant's user into the admin (``booking.admin_views.scope`` narrows
them to the consultant's own rows).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.log_actions import log as audit_log

from booking.models import Consultant, feed_secret_new

FEED_ROTATED_ACTION = "booking.feed_secret_rotate"
CONSULTANTS_GROUP = "Consultants"

# What the "Consultants" group may do: reach the admin, edit their own row (hours, overrides,
# rules, calendar), see their bookings and act on them. The scope narrows it to their own rows.
CONSULTANT_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("booking", "view_consultant"),
    ("booking", "change_consultant"),
    ("booking", "view_booking"),
    ("booking", "change_booking"),
)


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


def consultant_group_ensure() -> Group:
    """The "Consultants" group with :data:`CONSULTANT_PERMISSIONS`; put a consultant's user in it."""
    group, _ = Group.objects.get_or_create(name=CONSULTANTS_GROUP)
    wanted = Permission.objects.none()
    for app_label, codename in CONSULTANT_PERMISSIONS:
        wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    missing = wanted.exclude(pk__in=group.permissions.values("pk"))
    if missing.exists():
        group.permissions.add(*missing)
    return group
