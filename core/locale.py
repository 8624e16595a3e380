"""The locale an API response is in: ``?locale=de|en``, else ``Accept-Language``, else German."""

from django.conf import settings
from django.http import HttpRequest

from core.errors import ApiError

SUPPORTED = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT = settings.LANGUAGE_CODE


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
