"""Which language, and how dates read in it: the one list of languages (``SUPPORTED``, from
``settings.LANGUAGES``), the locale an API response is in (``?locale=de|en``, else
``Accept-Language``, else German), the language to write to a person in (their ``locale``, else
German), and a date as that language writes it."""

import datetime

from django.conf import settings
from django.http import HttpRequest

from core.errors import ApiError

SUPPORTED = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT = settings.LANGUAGE_CODE


def supported_language(code: str | None) -> str:
    """``code`` as one of ``SUPPORTED`` (``"en-GB"`` is ``"en"``), else the site's default."""
    language = (code or "").split("-")[0].split("_")[0].lower()
    return language if language in SUPPORTED else DEFAULT


def person_language(user) -> str:
    """The language to write to this person in (e-mails, invoices, return pages): their account's
    ``locale``; the site's default for guests, erased accounts and unknown locales."""
    return supported_language(getattr(user, "locale", None))


def resolve_locale(request: HttpRequest) -> str:
    requested = request.GET.get("locale")
    if requested is not None:
        if requested not in SUPPORTED:
            raise ApiError(
                "invalid_locale",
                f"Unknown locale {requested!r}; use one of {', '.join(SUPPORTED)}.",
                fields={"locale": [f"Choose one of {', '.join(SUPPORTED)}."]},
            )
        return requested
    # LocaleMiddleware has already read Accept-Language (and the language cookie).
    language = getattr(request, "LANGUAGE_CODE", DEFAULT) or DEFAULT
    return language if language in SUPPORTED else DEFAULT


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(day: datetime.date | str | None, language: str) -> str:
    """``14.03.2026`` in German, ``14 March 2026`` in English (ISO strings are accepted)."""
    if not day:
        return ""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    if language == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return day.strftime("%d.%m.%Y")
