"""Two-factor authentication for staff: TOTP with recovery codes (allauth.mfa), required for
everyone who can reach the Wagtail admin, the Oscar dashboard or the Django admin.

Shoppers never see this. Staff sign in through Wagtail's login; on their first admin page this
middleware sends them to set up an authenticator app (recovery codes are made and shown once),
and in every later session to enter a code before any admin page answers. The authenticators
are allauth.mfa's own, so the headless API and allauth's admin see the same ones.
"""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django import forms
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

ADMIN_PREFIXES = ("/admin/", "/dashboard/", "/django-admin/")
# Pages an unverified staff member must still reach: the logins and logouts, and what they load.
OPEN_PATHS = (
    "/admin/login/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/admin/password_reset/",
    "/dashboard/login/",
    "/django-admin/login/",
    "/django-admin/logout/",
)
VERIFIED_SESSION_KEY = "staff_2fa_verified_user"
SECRET_SESSION_KEY = "staff_2fa_pending_secret"  # noqa: S105 (a session key name)
FAILURES_SESSION_KEY = "staff_2fa_failures"
MAX_FAILURES = 5


def needs_second_factor(user) -> bool:
    """Anyone who can reach an admin: staff, superusers, and Wagtail admin access."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED_SESSION_KEY] = request.user.pk
    request.session.pop(FAILURES_SESSION_KEY, None)


def is_verified(request: HttpRequest) -> bool:
    return request.session.get(VERIFIED_SESSION_KEY) == request.user.pk


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            path.startswith(ADMIN_PREFIXES)
            and not path.startswith(OPEN_PATHS)
            and needs_second_factor(request.user)
            and not is_verified(request)
        ):
            step = "staff-2fa-verify" if has_totp(request.user) else "staff-2fa-setup"
            return HttpResponseRedirect(f"{reverse(step)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


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
    """Too many wrong codes end the session: the next try starts from the password again."""
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
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        for authenticator in Authenticator.objects.filter(
            user=request.user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ):
            if authenticator.wrap().validate_code(code):
                authenticator.record_usage()
                mark_verified(request)
                return redirect(_next_url(request))
        if (ended := _count_failure(request)) is not None:
            return ended
        form.add_error("code", _("That code is not right."))
    return render(request, "staff/2fa_verify.html", {"form": form, "next": _next_url(request)})
