"""The project's one authentication backend: a password signs in only someone who may reach an admin.

Shoppers never have a password: they sign in by e-mailed code or a social account, through
allauth. An account could still get one outside that flow (Oscar's storefront sign-up did, the
Django admin can), and a password that works for a shopper is a way round the code. Issue 16's
pre-account takeover was exactly that: an attacker registered a victim's address with a password
of their own; the owner later signed in by code into that same account, and the attacker's
password kept working. So a password is refused for every account that cannot reach an admin,
wherever it is tried: allauth's headless login, Wagtail's and Django's admin logins, any form
that calls ``authenticate``. Who may reach an admin is ``accounts.staff_2fa.needs_second_factor``:
the people who must also pass a second factor there.

allauth's logins by code and by social account call no ``authenticate``; allauth logs the user
in through its own backend class, which this one subclasses, so the sessions they make are ours.
And a shopper who signs in by any way at all loses a password the account may have been given
(``accounts.services.user_password_retire``, on Django's ``user_logged_in``).
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from accounts.staff_2fa import needs_second_factor


def password_may_sign_in(user: AbstractBaseUser) -> bool:
    """Only people who may reach an admin sign in with a password (and then a second factor)."""
    return needs_second_factor(user)


class PasswordForStaffOnlyBackend(AuthenticationBackend):
    """allauth's backend (e-mail and password, case-insensitive address; permissions as Django's
    ``ModelBackend``), refusing passwords of shoppers."""

    def authenticate(self, request: HttpRequest | None, **credentials) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        # allauth keeps aside an account whose password matched but which may not sign in, to
        # say "inactive" instead of "wrong password"; that would tell a shopper's password is
        # right (and allauth logs in what it keeps aside). Refused is refused, as in Django's own.
        self.unstash_authenticated_user()
        if user is None or not password_may_sign_in(user):
            return None
        return user
