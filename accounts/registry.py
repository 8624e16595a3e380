"""What each app holds about a person, handed to ``accounts`` without ``accounts`` importing the app.

An app that stores personal data registers a section in its ``AppConfig.ready()``::

    from accounts import registry

    registry.register("orders", export=orders_export, erase=orders_erase)

``export(user)`` returns data the API's JSON renderer can write, for ``GET /api/v1/me/export/``
(under the section's name); ``erase(user)`` removes or anonymises it when the person deletes the
account. Erase functions run inside the deletion's transaction, before ``accounts`` erases the
person's own fields, so they can still find the records by the user and the user's e-mail address.
``schema`` (optional) is a serializer instance describing the exported data in the OpenAPI schema.

Filled once per process at start-up and read-only afterwards, like signal receivers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Names the export itself uses for what accounts holds.
RESERVED_NAMES = frozenset({"exported_at", "profile", "logins"})


@dataclass(frozen=True)
class PersonalDataSection:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None]
    schema: Any = field(default=None, compare=False)


_sections: dict[str, PersonalDataSection] = {}


def register(
    name: str, *, export: Callable[[Any], Any], erase: Callable[[Any], None], schema: Any = None
) -> None:
    """Add a section. Registering the same functions again (a second ``ready()``) changes nothing."""
    section = PersonalDataSection(name=name, export=export, erase=erase, schema=schema)
    if name in RESERVED_NAMES:
        raise ImproperlyConfigured(f"The personal data section name {name!r} is reserved by accounts.")
    if _sections.get(name, section) != section:
        raise ImproperlyConfigured(f"Another app already registered the personal data section {name!r}.")
    _sections[name] = section


def unregister(name: str) -> None:
    _sections.pop(name, None)


def sections() -> list[PersonalDataSection]:
    """The registered sections, in the order they were registered."""
    return list(_sections.values())
