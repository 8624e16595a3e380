"""Housekeeping on other code's writes. Connected by ``connect()`` in ``AccountsConfig.ready()``."""

from __future__ import annotations

from django.db.models.signals import post_delete

from accounts.models import User
from accounts.services import avatar_file_delete


def user_deleted(sender, instance: User, **kwargs) -> None:
    # A row deleted outright (admin, shell) would otherwise leave its picture on storage forever.
    avatar_file_delete(user=instance)


def connect() -> None:
    post_delete.connect(user_deleted, sender=User, dispatch_uid="accounts.avatar_file_delete")
