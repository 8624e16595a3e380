"""Giving a customer access to a catalogue item, and taking it back, from the customer view.

Grants are written by :mod:`shop.access.services`; what this module adds is the back office's rule that
a customer holds at most one active staff grant per item, and a record of each change in
Wagtail's audit log (the grant row itself keeps who and why; the log puts it in "Site history"
beside the editors' work). Access is read from the grant rows on every check, so a grant or
revoke takes effect on the customer's next request and the next content key the player asks for.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as audit_log

from cms.selectors.holdings import catalog_holdings
from cms.selectors.served import SOURCE_LOCALE, titles_by_key
from shop.access.services import grant_by_staff, grant_revoke_by_staff
from shop.models import Grant

GRANT_ACTION = "backoffice.grant_access"
REVOKE_ACTION = "backoffice.revoke_access"


class GrantRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def customer_grant(*, customer, item_key: uuid.UUID, staff, reason: str) -> Grant:
    """Give ``customer`` access to a catalogue item, unless staff already did (one active staff
    grant per item: a second would make a later revoke look like it took access away when it
    did not). The customer's row is locked so that two clicks cannot both pass the check."""
    if catalog_holdings().kind_of(item_key) is None:
        raise GrantRefused(_("There is no video, course or bundle with this key."))
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=customer.pk).first()
        held = Grant.objects.filter(
            user=customer, item_key=item_key, source=Grant.Source.STAFF, status=Grant.Status.ACTIVE
        ).exists()
        if held:
            raise GrantRefused(
                _("%(email)s already has access to this item through a staff grant.")
                % {"email": customer.email}
            )
        grant = grant_by_staff(user=customer, item_key=item_key, granted_by=staff, reason=reason)
        _log(grant, GRANT_ACTION, staff, customer, reason)
    return grant


def customer_grant_revoke(*, grant: Grant, staff, reason: str) -> Grant:
    """End ``grant`` (a purchase's too: a chargeback handled by hand), recording who and why."""
    with transaction.atomic():
        grant = Grant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        if grant.status == Grant.Status.REVOKED:
            raise GrantRefused(_("This grant was already revoked."))
        grant = grant_revoke_by_staff(grant=grant, revoked_by=staff, reason=reason)
        _log(grant, REVOKE_ACTION, staff, grant.user, reason)
    return grant


def _log(grant: Grant, action: str, staff, customer, reason: str) -> None:
    title = titles_by_key([grant.item_key], locale=SOURCE_LOCALE).get(grant.item_key, str(grant.item_key))
    audit_log(
        grant,
        action,
        user=staff,
        title=f"{customer.email}: {title}",
        data={
            "email": customer.email,
            "item_key": str(grant.item_key),
            "item_title": title,
            "reason": reason,
        },
    )


# ---- Audit log -------------------------------------------------------------------------------


class GrantLogFormatter(LogFormatter):
    label = gettext_lazy("Access granted")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Gave %(email)s access to %(item)s: %(reason)s") % {
            "email": data.get("email", ""),
            "item": data.get("item_title") or data.get("item_key", ""),
            "reason": data.get("reason", ""),
        }


class RevokeLogFormatter(LogFormatter):
    label = gettext_lazy("Access revoked")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return _("Took %(item)s back from %(email)s: %(reason)s") % {
            "email": data.get("email", ""),
            "item": data.get("item_title") or data.get("item_key", ""),
            "reason": data.get("reason", ""),
        }


def customer_log_actions_register(actions) -> None:
    """The audit log's names for a grant and a revoke (registered by backoffice.wagtail_hooks)."""
    for action, formatter in ((GRANT_ACTION, GrantLogFormatter), (REVOKE_ACTION, RevokeLogFormatter)):
        if action not in actions.formatters:
            actions.register_action(action)(formatter)
