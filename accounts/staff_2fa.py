"""Two-factor authentication for staff: TOTP with recovery codes (allauth.mfa), required for
everyone who can reach the Wagtail admin, the Oscar dashboard or the Django admin.

Shoppers never see this. Staff sign in through Wagtail's login; the middleware then sends them to
set up an authenticator app (recovery codes are made and shown once), and in every later session to
enter a code. Until then the session is *unverified*, and it reaches nothing but the short
allow-list below: every other page redirects to the code page, and every JSON surface (``/api/``,
``/_allauth/``) answers 403. An allow-list, not a list of admin prefixes, so that a new route (a
dependency upgrade, ``/documents/``, allauth's account endpoints) is closed until someone opens it.

A session is verified when it passed the code page here, or allauth's own second-factor stage in a
headless login: both leave an allauth authentication record with the method ``mfa``. The check
follows every way a caller names a session: the cookie, allauth's ``X-Session-Token`` header and a
JWT access token (a password session's key is otherwise a working ``X-Session-Token``).

The authenticators are allauth.mfa's own, so the headless API and allauth's admin see the same ones;
wrong codes are counted by allauth's rate limits in the cache, per account and per client address,
so a fresh login does not reset them.
"""

from __future__ import annotations

from types import SimpleNamespace

from allauth.account.internal.flows.login import get_authentication_records
from allauth.headless import app_settings as headless_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django import forms
from django.contrib.auth import get_user, logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import error_body

# What an unverified staff session may still reach: the code pages, the logins and logouts, and
# what they load. Matched against ``path_info`` (the path inside the site, whatever SCRIPT_NAME).
OPEN_PATHS = (
    "/staff/2fa/",
    "/admin/login/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/dashboard/login/",
    "/django-admin/login/",
    "/django-admin/logout/",
    "/static/",
)
# allauth's logout (DELETE on the session resource), for each client.
OPEN_LOGOUTS = ("/_allauth/browser/v1/auth/session", "/_allauth/app/v1/auth/session")
JSON_PREFIXES = ("/api/", "/_allauth/")
# Who needs a second factor besides staff and superusers: anyone who can open an admin.
ADMIN_PERMISSIONS = ("wagtailadmin.access_admin", "partner.dashboard_access")

VERIFIED_SESSION_KEY = "staff_2fa_verified_user"
SECRET_SESSION_KEY = "staff_2fa_pending_secret"  # noqa: S105 (a session key name)
FAILURES_SESSION_KEY = "staff_2fa_failures"
MAX_FAILURES = 5

# Whether an account needs a second factor is asked on every request, and a shopper's requests
# must not pay two permission queries for it: the answer is cached per account, under a
# generation that any change of permissions or group membership replaces (``forget_admin_access``).
NEEDS_CACHE_SECONDS = 10 * 60
GENERATION_CACHE_KEY = "staff-2fa:permissions-generation"


def needs_second_factor(user) -> bool:
    """Anyone who can reach an admin: staff, superusers, Wagtail admin and Oscar dashboard access."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or any(user.has_perm(perm) for perm in ADMIN_PERMISSIONS))
    )


def _generation() -> str:
    generation = cache.get(GENERATION_CACHE_KEY)
    if generation is None:
        cache.add(GENERATION_CACHE_KEY, get_random_string(12), timeout=None)
        generation = cache.get(GENERATION_CACHE_KEY)
    return generation


def needs_second_factor_cached(user) -> bool:
    """:func:`needs_second_factor` without a query for accounts whose row already says yes or no."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    joined = user.date_joined.timestamp() if getattr(user, "date_joined", None) else ""
    key = f"staff-2fa:needs:{_generation()}:{user.pk}:{joined}"
    needed = cache.get(key)
    if needed is None:
        needed = needs_second_factor(user)
        cache.set(key, needed, NEEDS_CACHE_SECONDS)
    return needed


def forget_admin_access(**kwargs) -> None:
    """Permissions or group memberships changed somewhere: ask every account afresh."""
    cache.set(GENERATION_CACHE_KEY, get_random_string(12), timeout=None)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED_SESSION_KEY] = request.user.pk
    request.session.pop(FAILURES_SESSION_KEY, None)


def session_is_verified(session: SessionBase, user: AbstractBaseUser) -> bool:
    """The session passed a second factor for ``user``: our code page, or allauth's MFA stage."""
    if session.get(VERIFIED_SESSION_KEY) == user.pk:
        return True
    records = get_authentication_records(SimpleNamespace(session=session), user)
    return any(record.get("method") == "mfa" for record in records)


def is_verified(request: HttpRequest) -> bool:
    return session_is_verified(request.session, request.user)


def token_caller(request: HttpRequest) -> tuple[AbstractBaseUser, SessionBase] | None:
    """The account and session an ``X-Session-Token`` or a JWT access token names, as allauth's
    app client and our personal API endpoints will resolve them."""
    if not (request.headers.get("x-session-token") or request.headers.get("authorization")):
        return None
    strategy = headless_settings.TOKEN_STRATEGY
    session_token = strategy.get_session_token(request)
    session = strategy.lookup_session(session_token) if session_token else None
    if session is None:
        return None
    user = get_user(SimpleNamespace(session=session))
    return (user, session) if user.is_authenticated else None


def unverified_staff(request: HttpRequest) -> AbstractBaseUser | None:
    """The staff account this request acts for without a second factor, if any."""
    callers = [(request.user, request.session)]
    if request.path_info.startswith(JSON_PREFIXES) and (by_token := token_caller(request)):
        callers.append(by_token)
    for user, session in callers:
        if needs_second_factor_cached(user) and not session_is_verified(session, user):
            return user
    return None


def is_open(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(OPEN_PATHS) or (request.method == "DELETE" and path in OPEN_LOGOUTS)


def second_factor_url(user, next_url: str) -> str:
    step = "staff-2fa-verify" if has_totp(user) else "staff-2fa-setup"
    return f"{reverse(step)}?next={next_url}"


class StaffTwoFactorMiddleware:
    """Refuses everything but :data:`OPEN_PATHS` to a staff session without its second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_open(request) or (user := unverified_staff(request)) is None:
            return self.get_response(request)
        if request.path_info.startswith(JSON_PREFIXES):
            body = error_body(
                "second_factor_required",
                gettext("Enter the code from your authenticator app first."),
                url=reverse("staff-2fa-verify"),
            )
            return JsonResponse(body, status=403)
        return HttpResponseRedirect(second_factor_url(user, request.get_full_path()))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class VerifyForm(AuthenticateForm):
    """allauth's own second-factor form: it takes a TOTP or a recovery code, counts wrong codes in
    allauth's rate limits (per account and per address) and records the ``mfa`` authentication."""

    code = CodeForm.base_fields["code"]


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/admin/"


def _guard(request: HttpRequest) -> HttpResponse | None:
    if not needs_second_factor(request.user):
        return redirect(f"{reverse('wagtailadmin_login')}?next={_next_url(request)}")
    return None


def _count_failure(request: HttpRequest) -> HttpResponse | None:
    """Too many wrong codes end the session: the next try starts from the password again (and the
    account's codes stay limited in the cache, whatever session tries next)."""
    failures = request.session.get(FAILURES_SESSION_KEY, 0) + 1
    request.session[FAILURES_SESSION_KEY] = failures
    if failures >= MAX_FAILURES:
        logout(request)
        return redirect(reverse("wagtailadmin_login"))
    return None


def setup_view(request: HttpRequest) -> HttpResponse:
    """Activate TOTP: show the secret as a QR code, confirm one code, then show recovery codes."""
    if (denied := _guard(request)) is not None:
        return denied
    if has_totp(request.user):
        return redirect(f"{reverse('staff-2fa-verify')}?next={_next_url(request)}")
    secret = request.session.get(SECRET_SESSION_KEY) or generate_totp_secret()
    request.session[SECRET_SESSION_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if validate_totp_code(secret, form.cleaned_data["code"].strip()):
            TOTP.activate(request.user, secret)
            codes = RecoveryCodes.activate(request.user)
            request.session.pop(SECRET_SESSION_KEY, None)
            mark_verified(request)
            context = {"codes": codes.get_unused_codes(), "next": _next_url(request)}
            return render(request, "staff/2fa_recovery_codes.html", context)
        if (ended := _count_failure(request)) is not None:
            return ended
        form.add_error("code", _("That code is not right. Codes change every 30 seconds."))
    adapter = get_adapter()
    url = adapter.build_totp_url(request.user, secret)
    context = {
        "form": form,
        "secret": secret,
        "qr_svg": adapter.build_totp_svg(url),
        "next": _next_url(request),
    }
    return render(request, "staff/2fa_setup.html", context)


def verify_view(request: HttpRequest) -> HttpResponse:
    """Enter a TOTP code or a recovery code (each recovery code works once)."""
    if (denied := _guard(request)) is not None:
        return denied
    if not has_totp(request.user):
        return redirect(f"{reverse('staff-2fa-setup')}?next={_next_url(request)}")
    form = VerifyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            mark_verified(request)
            return redirect(_next_url(request))
        if (ended := _count_failure(request)) is not None:
            return ended
    return render(request, "staff/2fa_verify.html", {"form": form, "next": _next_url(request)})
