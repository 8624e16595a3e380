"""The page behind the unsubscribe link of every non-essential e-mail (``accounts.communication``).

No login: the signed token names the person and the kind. A GET only shows a button, because mail
scanners and link previews fetch every link in a mail; the button POSTs to the same URL, and so
does a mail client's own "unsubscribe" (RFC 8058: the body ``List-Unsubscribe=One-Click``, no
cookies, no CSRF token; the token in the URL is the secret). The answer offers to undo it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import communication
from accounts.models import User
from core.locale import supported_language

# What the page's buttons send; a mail client sends ``List-Unsubscribe=One-Click`` instead.
UNSUBSCRIBE, RESUBSCRIBE = "unsubscribe", "resubscribe"


def _page(request: HttpRequest, language: str, context: dict, status: int = 200) -> HttpResponse:
    language = supported_language(language)
    with translation.override(language):
        response = render(
            request, f"account/unsubscribe/{language}.html", {**context, "language": language}, status=status
        )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kind = communication.token_read(token)
        user = User.objects.get(pk=user_id)
    except (communication.BadToken, User.DoesNotExist):
        language = translation.get_language_from_request(request)[:2]
        return _page(request, language, {"state": "invalid"}, status=400)
    if request.method == "POST":
        wanted = request.POST.get("action") == RESUBSCRIBE
        if request.POST.get("List-Unsubscribe") == "One-Click" or request.POST.get("action") in (
            UNSUBSCRIBE,
            RESUBSCRIBE,
        ):
            communication.communication_update(user=user, choices={kind: wanted})
            state = "resubscribed" if wanted else "unsubscribed"
        else:
            state = "ask"
    else:
        state = "ask" if communication.preferences(user)[kind] else "already"
    return _page(request, user.locale, {"state": state, "kind": kind, "email": user.email})
