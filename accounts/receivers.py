"""Housekeeping on other code's writes. Connected by ``connect()`` in ``AccountsConfig.ready()``."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete

from accounts.models import User
from accounts.services import avatar_file_delete, user_password_retire
from accounts.staff_2fa import forget_admin_access


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

    # Who needs a second factor is cached per account; a permission granted through a group or
    # directly must take effect on the next request.
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        uid = f"accounts.staff_2fa.{through.__name__}"
        m2m_changed.connect(forget_admin_access, sender=through, dispatch_uid=uid)
