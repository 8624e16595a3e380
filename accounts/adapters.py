"""allauth's account adapter: passwordless sign-in by e-mailed code, in the shopper's language.

allauth runs the flows (codes, attempts, expiry, rate limits, sessions, tokens), configured in the
django-allauth section of ``config/settings/base.py``. This adapter adds what is ours:

* every e-mail goes out in the shopper's language: their ``locale``, or for an address without
  an account the language of the request; from ``templates/account/email/<language>/`` where we
  wrote one, else allauth's own template in that language;
* the login-code e-mail links to the Astro site's confirm page with the code filled in;
* sign-up and log-in are one flow: signing up with an address that already has an account mails a
  login code for that account, where allauth would mail "you already have an account" and leave
  the shopper to start over; the answer does not tell whether the address was known;
* a new account keeps the language it signed up in;
* an account made outside allauth (the demo seed, the admin) has no address record, and allauth
  would ask it to verify the very address its login code just went to; the code counts;
* too many code requests are answered 429 (allauth answers its request form with a 400);
* for an account with an authenticator (staff must have one) a password never counts as
  reauthentication: only its TOTP or a recovery code does, so the password alone cannot read,
  replace or remove the second factor (``POST .../auth/reauthenticate`` is refused, and
  ``.../auth/2fa/reauthenticate`` is the way);
* the Wagtail and Django admin logins check passwords through :meth:`authenticate`, so every
  password entry spends the same per-account and per-address budget (``login_failed``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage, LoginByCodeStage
from allauth.account.utils import filter_users_by_email
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.httpkit import is_headless_request
from allauth.headless.account.inputs import SignupInput
from allauth.headless.base.response import RateLimitResponse
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.tasks import enqueue

LOGIN_CODE_MAIL = "account/email/login_code"


def shopper_language(user: AbstractBaseUser | None = None) -> str:
    """The language to write to someone in: the account's ``locale``, else the request's language
    (LocaleMiddleware has activated it), else the site's default, always one of ``LANGUAGES``."""
    languages = dict(settings.LANGUAGES)
    for candidate in (getattr(user, "locale", None), translation.get_language()):
        if candidate:
            language = candidate.replace("_", "-").split("-")[0].lower()
            if language in languages:
                return language
    return settings.LANGUAGE_CODE


def login_code_url(*, code: str, email: str) -> str:
    """The Astro page that confirms a login code, with the code and the address filled in."""
    page = settings.HEADLESS_FRONTEND_URLS["account_login_code"]
    return f"{page}?{urlencode({'code': code, 'email': email})}"


def localized_template_prefix(template_prefix: str, language: str) -> str:
    """``account/email/de/login_code`` when we wrote that e-mail in German, else allauth's own."""
    folder, _, name = template_prefix.rpartition("/")
    localized = f"{folder}/{language}/{name}"
    try:
        get_template(f"{localized}_subject.txt")
    except TemplateDoesNotExist:
        return template_prefix
    return localized


def account_for_address(email: str) -> AbstractBaseUser | None:
    """The active account an address logs in to, found the way allauth's code request finds it."""
    users = filter_users_by_email(email, is_active=True, prefer_verified=True)
    return users[0] if users else None


def consume_code_request(request: HttpRequest, email: str) -> None:
    """Count one mailed code against the address's and the IP's budget (the same one allauth's
    ``auth/code/request`` uses); over budget, the request is answered 429 and nothing is sent."""
    if not ratelimit.consume(request, action="request_login_code", key=email.lower()):
        raise ImmediateHttpResponse(RateLimitResponse(request))


class LoginOrSignupByCodeStage(LoginByCodeStage):
    """allauth's login-code stage, which also takes a sign-up for a known address.

    For a sign-up whose address is taken, allauth (preventing enumeration) carries on with a
    login that has no user, and this stage then mails "an account already exists". Here the
    stage looks the account up and mails a login code for it instead, so the shopper types the
    code and is in. The account is only entered with that code: if the code stage would be
    skipped for it (a changed setting), the login is aborted rather than completed.
    """

    def handle(self):
        login = self.login
        if self.state or login.user is not None or not login.signup or not login.email:
            return super().handle()
        user = account_for_address(login.email)
        if user is None:
            return super().handle()
        consume_code_request(self.request, login.email)
        login.user = user
        response, carry_on = super().handle()
        if not self.state:
            return self.abort(), False
        return response, carry_on


class EmailVerifiedByCodeStage(EmailVerificationStage):
    """allauth's e-mail verification stage, counting a confirmed login code for accounts that have
    no address record at all.

    Confirming a code marks its address verified, but only where the account already has a record
    for it. Accounts made outside allauth (the demo seed, the admin) have none, and the shopper
    would get a second e-mail asking to verify the address the code was just read from. Here the
    record is made, verified, before allauth's check.
    """

    def handle(self):
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user=user).exists():
            email = address_proven_by_code(self.request, user)
            if email and email.lower() == (getattr(user, "email", "") or "").lower():
                EmailAddress.objects.create(user=user, email=email.lower(), primary=True, verified=True)
        return super().handle()


def address_proven_by_code(request: HttpRequest, user: AbstractBaseUser) -> str | None:
    """The address whose login code was confirmed for ``user`` in this session, if any."""
    for record in reversed(get_authentication_records(request, user)):
        if record.get("method") == "code" and record.get("email"):
            return record["email"]
    return None


def has_authenticator(user: AbstractBaseUser) -> bool:
    """The account has a second factor (TOTP, recovery codes): a password alone is not enough."""
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


OUR_STAGES = {
    "allauth.account.stages.LoginByCodeStage": _dotted(LoginOrSignupByCodeStage),
    "allauth.account.stages.EmailVerificationStage": _dotted(EmailVerifiedByCodeStage),
}


class DeferredEmail:
    """A rendered allauth e-mail whose ``send()`` hands it to Celery: the request that asked for
    a login code answers without waiting for the mail server."""

    def __init__(self, message) -> None:
        self.message = message

    def send(self) -> None:
        message = self.message
        enqueue(
            "accounts.tasks.email_send",
            {
                "subject": message.subject,
                "body": message.body,
                "from_email": message.from_email,
                "to": list(message.to),
                "headers": dict(message.extra_headers),
                "alternatives": [(content, mimetype) for content, mimetype in message.alternatives],
            },
            on_commit=False,
        )


class AccountAdapter(DefaultAccountAdapter):
    def render_mail(self, template_prefix: str, email, context: dict, headers=None):
        return DeferredEmail(super().render_mail(template_prefix, email, context, headers=headers))

    def get_login_stages(self) -> list[str]:
        return [OUR_STAGES.get(stage, stage) for stage in super().get_login_stages()]

    def save_user(self, request: HttpRequest, user: AbstractBaseUser, form: Any, commit: bool = True):
        if isinstance(form, SignupInput):
            # A sign-up by address mails a login code: it spends the same budget as a request.
            consume_code_request(request, form.cleaned_data["email"])
            if hasattr(user, "locale"):
                user.locale = shopper_language()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user") or account_for_address(email)
        language = shopper_language(user)
        context = {**context, "language": language}
        if template_prefix == LOGIN_CODE_MAIL and context.get("code"):
            context["login_code_url"] = login_code_url(code=context["code"], email=email)
            context["code_valid_minutes"] = account_settings.LOGIN_BY_CODE_TIMEOUT // 60
        if context.get("signup_url"):
            context["signup_url"] = f"{context['signup_url']}?{urlencode({'email': email})}"
        with translation.override(language):
            super().send_mail(localized_template_prefix(template_prefix, language), email, context)

    def send_account_already_exists_mail(self, email: str) -> None:
        # Left for an account that cannot log in (deactivated). allauth's version links to a
        # password reset page, which we do not have (and fails without a frontend URL for it).
        self.send_mail("account/email/account_already_exists", email, {})

    def reauthenticate(self, user: AbstractBaseUser, password: str) -> bool:
        if has_authenticator(user):
            # Refused before the password is even checked: no oracle, and no attempt spent.
            raise ValidationError(
                _("Confirm with a code from your authenticator app or a recovery code instead."),
                code="second_factor_required",
            )
        return super().reauthenticate(user, password)

    def get_reauthentication_methods(self, user: AbstractBaseUser | AnonymousUser) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and has_authenticator(user):
            methods = [method for method in methods if method["id"] != "reauthenticate"]
        return methods

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        request = allauth_context.request
        if code == "too_many_login_attempts" and request is not None and is_headless_request(request):
            raise ImmediateHttpResponse(RateLimitResponse(request))
        return super().validation_error(code, *args)
