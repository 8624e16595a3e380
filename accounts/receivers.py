"""Housekeeping on other code's writes. Connected by ``connect()`` in ``AccountsConfig.ready()``."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete

from accounts.models import User
from accounts.services import avatar_file_delete, user_password_retire


def user_deleted(sender, instance: User, **kwargs) -> None:
    # A row deleted outright (admin, shell) would otherwise leave its picture on storage forever.
    avatar_file_delete(user=instance)


def user_signed_in(sender, request, user: User, **kwargs) -> None:
    # A shopper signs in only by code or social account (accounts/backends.py); a password the
    # account got some other way must not outlive the owner's proof that the address is theirs.
    user_password_retire(user=user, request=request)


def connect() -> None:
    user_logged_in.connect(user_signed_in, dispatch_uid="accounts.user_password_retire")
    post_delete.connect(user_deleted, sender=User, dispatch_uid="accounts.avatar_file_delete")
