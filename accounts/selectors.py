"""Reads of a person's own data: the profile and everything for the data export."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

from accounts import communication, registry
from accounts.models import User


def user_avatar_url(user: User, absolute_uri: Callable[[str], str] = str) -> str | None:
    return absolute_uri(user.avatar.url) if user.avatar else None


def user_profile_export(user: User, absolute_uri: Callable[[str], str] = str) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "locale": user.locale,
        "time_zone": user.time_zone,
        "avatar": user_avatar_url(user, absolute_uri),
        "date_joined": user.date_joined,
        "is_staff": user.is_staff,
        "communication": communication.preferences_export(user),
    }


def user_logins_export(user: User) -> dict[str, Any]:
    """How the person logs in. MFA authenticators by type only: their secrets are not personal data
    the person needs back, and handing them out would weaken the second factor."""
    return {
        "last_login": user.last_login,
        "has_password": user.has_usable_password(),
        "email_addresses": list(
            EmailAddress.objects.filter(user=user)
            .order_by("-primary", "email")
            .values("email", "verified", "primary")
        ),
        "social_accounts": list(
            SocialAccount.objects.filter(user=user)
            .order_by("provider", "pk")
            .values("provider", "uid", "date_joined", "last_login", "extra_data")
        ),
        "authenticators": list(
            Authenticator.objects.filter(user=user)
            .order_by("type", "pk")
            .values("type", "created_at", "last_used_at")
        ),
    }


def user_personal_data_export(user: User, absolute_uri: Callable[[str], str] = str) -> dict[str, Any]:
    """Everything the project holds about ``user``: accounts' own parts, then each registered section."""
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "profile": user_profile_export(user, absolute_uri),
        "logins": user_logins_export(user),
    }
    for section in registry.sections():
        data[section.name] = section.export(user)
    return data


def last_authenticated_at(*, session: SessionBase, user: User) -> float | None:
    """When ``user`` last proved who they are in ``session`` (a login by code, password, social
    account or passkey, a second factor, or a re-authentication), as a Unix time; from allauth's
    record of authentications kept in the session."""
    request = HttpRequest()
    request.session = session
    times = [
        record["at"]
        for record in get_authentication_records(request, user)
        if isinstance(record.get("at"), int | float)
    ]
    return max(times, default=None)


def did_recently_authenticate(*, session: SessionBase, user: User) -> bool:
    """Within allauth's ``ACCOUNT_REAUTHENTICATION_TIMEOUT``. Stricter than allauth's own check, which
    lets people without a password or second factor (our shoppers, who log in by e-mailed code or a
    social account) through unasked: for them, a fresh login is the re-authentication."""
    at = last_authenticated_at(session=session, user=user)
    return at is not None and time.time() - at < account_settings.REAUTHENTICATION_TIMEOUT
