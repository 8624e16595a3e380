"""Which non-essential e-mails a person gets, in one place: the kinds, who wants which, the
one-click unsubscribe link and the mail headers that carry it.

Non-essential are the consultation reminders, the follow-up after a consultation and the news
e-mails; everything a person must be told (receipts, invoices, booking confirmations and
cancellations, failed subscription payments, login codes) is always sent and never asks here.
Reminders and follow-ups are on until switched off; news is off until switched on (opt-in).

The choices live on the user (``email_<kind>`` and ``email_<kind>_changed_at``). They change
through ``PATCH /api/v1/me/`` (``accounts.services.user_profile_update``) or the unsubscribe link
of any such mail, both through :func:`communication_update`.

The link (``/email/unsubscribe/<token>/``, ``accounts.urls``) works without logging in: the
token is the user and the kind signed with the secret key under a salt of their own, without an
expiry, so the link in a mail from years ago still works. Mails carry it in their footer and in the
RFC 8058 headers, so mail clients show their own "unsubscribe" button, which POSTs to it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

REMINDERS = "reminders"
FOLLOW_UPS = "follow_ups"
NEWS = "news"
KINDS = (REMINDERS, FOLLOW_UPS, NEWS)

UNSUBSCRIBE_SALT = "accounts.communication.unsubscribe"


class BadToken(Exception):
    """The unsubscribe link was altered, or names a kind or person that does not exist."""


def field(kind: str) -> str:
    """The user's boolean field holding the choice for ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of e-mail: {kind!r}")
    return f"email_{kind}"


def changed_field(kind: str) -> str:
    return f"{field(kind)}_changed_at"


def preferences(user) -> dict[str, bool]:
    """``{"reminders": True, "follow_ups": True, "news": False}``: what ``user`` chose."""
    return {kind: getattr(user, field(kind)) for kind in KINDS}


def preferences_export(user) -> dict[str, Any]:
    """The choices and when each was made (``None``: never changed, the default applies)."""
    return {
        kind: {"wanted": getattr(user, field(kind)), "changed_at": getattr(user, changed_field(kind))}
        for kind in KINDS
    }


def wants(user, kind: str) -> bool:
    """Whether ``user`` is to get an e-mail of ``kind``: an active account with an address that
    has not switched the kind off (or, for news, has switched it on)."""
    return bool(user is not None and user.is_active and user.email and getattr(user, field(kind)))


def recipients_filter(kind: str) -> dict[str, bool]:
    """The ``filter()`` keywords selecting users who want ``kind`` (``user__`` prefix it for a
    related model)."""
    return {field(kind): True, "is_active": True}


def communication_update(*, user, choices: dict[str, bool]) -> list[str]:
    """Store the choices given (any subset of :data:`KINDS`); a choice that changes gets the time
    of the change. Returns the names of the fields written (none when nothing changed)."""
    now = timezone.now()
    fields = []
    for kind, wanted in choices.items():
        if getattr(user, field(kind)) != bool(wanted):
            setattr(user, field(kind), bool(wanted))
            setattr(user, changed_field(kind), now)
            fields += [field(kind), changed_field(kind)]
    if fields:
        with transaction.atomic():
            user.save(update_fields=fields)
    return fields


# ---- The unsubscribe link -----------------------------------------------------------------------


def token(user, kind: str) -> str:
    field(kind)  # refuses an unknown kind
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user.pk, "k": kind})


def token_read(value: str) -> tuple[int, str]:
    """The user id and kind a token names; :class:`BadToken` when it was altered."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(value)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise BadToken from error
    if not isinstance(data, dict) or data.get("k") not in KINDS or not isinstance(data.get("u"), int):
        raise BadToken
    return data["u"], data["k"]


def unsubscribe_url(user, kind: str) -> str:
    """The absolute link on the back end that unsubscribes ``user`` from ``kind``."""
    return settings.BACKEND_URL + reverse("email-unsubscribe", kwargs={"token": token(user, kind)})


def headers(user, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click`` to the URL."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
