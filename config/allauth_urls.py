"""allauth's headless API at ``/_allauth/``, and a JSON 404 for everything else there.

allauth routes ``browser/`` and ``app/`` (and its OpenAPI document); any other path used to
fall through to Django's slash redirect (a 500 on a POST with DEBUG on) and then to Wagtail's
HTML 404. allauth's clients expect JSON from every answer under this prefix.
"""

from django.urls import include, path, re_path

from core.errors import allauth_not_found

urlpatterns = [
    # Phone numbers are not a way into this site (e-mail is): allauth mounts its phone endpoints
    # anyway, and they crash (a 500 on GET when logged in, on HEAD/OPTIONS when not).
    re_path(r"^(?:browser|app)/v1/(?:account/phone|auth/phone/.*)$", allauth_not_found),
    path("", include("allauth.headless.urls")),
    re_path(r"", allauth_not_found, name="allauth-not-found"),
]
