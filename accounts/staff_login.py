"""The Wagtail and Django admin logins, with allauth's limits on password guesses.

Both admins sign staff in with Django's ``AuthenticationForm``, which asks the backends directly
and counts nothing. Here they ask allauth's account adapter instead: it spends one try of the
``login_failed`` budget (``ACCOUNT_RATE_LIMITS``: per client address, and per account, keyed as
allauth keys its own logins) before the password is checked, and gives it back when the password
was right. So guesses at ``/admin/login/``, ``/django-admin/login/`` and allauth's own login and
reauthentication share one budget, the client address comes from allauth's trusted-proxy setting,
and once the budget is spent even the right password is refused until it refills.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib.admin.forms import AdminAuthenticationForm
from wagtail.admin.forms.auth import LoginForm


class LimitedPasswordMixin:
    """``AuthenticationForm.clean`` with the password checked through allauth's adapter."""

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            # Raises "too many failed login attempts" (a form error) once the budget is spent.
            self.user_cache = get_account_adapter(self.request).authenticate(
                self.request, email=email, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class StaffLoginForm(LimitedPasswordMixin, LoginForm):
    """Wagtail's login (``WAGTAILADMIN_USER_LOGIN_FORM``): the one staff are sent to."""


class DjangoAdminLoginForm(LimitedPasswordMixin, AdminAuthenticationForm):
    """The Django admin's own login (``admin.site.login_form``)."""
