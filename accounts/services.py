"""Writes to a person's account: the profile, and erasing the account with everything it holds."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import communication, registry
from accounts.backends import password_may_sign_in
from accounts.models import DEFAULT_TIME_ZONE, User
from accounts.selectors import did_recently_authenticate
from core.errors import ApiError
from core.locale import DEFAULT as DEFAULT_LOCALE

PROFILE_FIELDS = ("first_name", "last_name", "locale", "time_zone", "avatar")
ERASED_EMAIL_DOMAIN = "erased.invalid"  # .invalid can never receive mail (RFC 2606)


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"


def user_profile_update(*, user: User, data: dict[str, Any]) -> User:
    """Change the fields given in ``data`` (already validated). ``avatar``: a new picture, or ``None``
    to remove it; ``communication``: the e-mail choices to change (``accounts.communication``).
    A replaced picture's file is deleted once the change is committed."""
    fields = [name for name in PROFILE_FIELDS if name in data]
    choices = data.get("communication") or {}
    if not fields and not choices:
        return user
    old_avatar = user.avatar.name
    for name in fields:
        value = data[name]
        setattr(user, name, "" if name == "avatar" and not value else value)
    with transaction.atomic():
        if fields:
            user.save(update_fields=fields)
        communication.communication_update(user=user, choices=choices)
    if "avatar" in fields and old_avatar and old_avatar != user.avatar.name:
        _avatar_file_delete_on_commit(user, old_avatar)
    return user


def user_delete_account(*, user: User, session: SessionBase | None) -> None:
    """The person's own deletion request: allowed only shortly after they proved who they are in
    the session making it (see ``did_recently_authenticate``), so a stolen or forgotten session
    cannot erase an account."""
    if session is None or not did_recently_authenticate(session=session, user=user):
        raise ApiError(
            "reauthentication_required",
            "Log in again (or re-authenticate) to confirm it is you, then delete the account.",
            status=403,
        )
    user_erase(user=user)


@transaction.atomic
def user_erase(*, user: User) -> User:
    """Erase the person: every app's section (registry), then the logins and the profile. The row
    stays, inactive and anonymous, so records other apps keep for accounting still point somewhere;
    nobody can log in as it again, and every session and token of it stops working."""
    user = User.objects.select_for_update().get(pk=user.pk)
    for section in registry.sections():
        section.erase(user)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # their provider tokens go with them
    Authenticator.objects.filter(user=user).delete()
    old_avatar = user.avatar.name
    user.email = erased_email(user)
    user.first_name = user.last_name = ""
    user.locale, user.time_zone = DEFAULT_LOCALE, DEFAULT_TIME_ZONE
    # Nothing more is sent to the account, and the record of consent goes with the person.
    for kind in communication.KINDS:
        setattr(user, communication.field(kind), False)
        setattr(user, communication.changed_field(kind), None)
    user.avatar = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    # A new password hash also invalidates any session the revocation below cannot reach.
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user_sessions_revoke(user=user)
    if old_avatar:
        _avatar_file_delete_on_commit(user, old_avatar)
    return user


def user_password_retire(*, user: User, request: HttpRequest | None = None) -> bool:
    """Make a shopper's password unusable, if the account has one (see ``accounts.backends``).

    Called whenever a shopper signs in (by code or social account): a password the account was
    given outside that flow, such as an attacker's who registered the address first, dies the
    moment the owner proves the address is theirs. Changing the password hash also ends every
    other session of the account (Django checks the hash on each request); the session signing in
    (``request``) is kept. Staff keep their password. Returns whether a password was retired."""
    if not user.has_usable_password() or password_may_sign_in(user):
        return False
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if request is not None and getattr(request, "session", None) is not None:
        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    return True


def user_sessions_revoke(*, user: User) -> int:
    """Delete every session of ``user``. allauth's headless app tokens are these sessions (the
    session token strategy) or live in them (JWT refresh tokens), so they are revoked with them.
    Returns how many sessions were deleted."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys: set[str] = set()
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession

        user_sessions = UserSession.objects.filter(user=user)
        keys.update(user_sessions.values_list("session_key", flat=True))
        user_sessions.delete()
    if hasattr(store_class, "get_model_class"):
        keys.update(_stored_session_keys_of(user, store_class))
    for key in keys:
        store_class(session_key=key).delete()
    return len(keys)


def _stored_session_keys_of(user: User, store_class: type[SessionBase]) -> Iterator[str]:
    """Database sessions are not indexed by user, so each live one is decoded. Account deletion is
    rare; with ``allauth.usersessions`` installed its index finds them as well."""
    user_id = str(user.pk)
    decoder = store_class()
    live = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for key, data in live.values_list("session_key", "session_data").iterator(chunk_size=2000):
        if decoder.decode(data).get(SESSION_KEY) == user_id:
            yield key


def _avatar_file_delete_on_commit(user: User, name: str) -> None:
    storage = user.avatar.storage
    transaction.on_commit(lambda: storage.delete(name))


def avatar_file_delete(*, user: User) -> None:
    """The picture of a user row being deleted (e.g. by an administrator) goes with it."""
    if user.avatar.name:
        _avatar_file_delete_on_commit(user, user.avatar.name)
