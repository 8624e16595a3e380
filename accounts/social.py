"""Social login with Google, Apple and GitHub: the few rules allauth leaves to the project.

allauth does the matching, configured in ``config/settings/base.py``
(``SOCIALACCOUNT_EMAIL_AUTHENTICATION`` and ``..._AUTO_CONNECT``): a login whose address the
provider reports as *verified* signs in to the account with that address and is connected to it;
an unverified address is never used to find an account. A new account made from a social login
gets no usable password (sign-in is by provider or by e-mailed code).

This adapter adds:

* **No account is made from an address the provider has not verified**, whether or not the
  address is taken; the answer is the same either way (``email_unverified``: sign in with an
  e-mailed code instead), so it tells nothing about who has an account. allauth would sign up a
  free unverified address pending e-mail verification, but that account would carry the
  provider login of whoever claimed the address: when the address's real owner later signs in
  by code (which verifies the address), that provider login would open their account.
* For the same reason a new account keeps only the addresses the provider verified: an
  unverified secondary address (GitHub lists them) must not reserve somebody else's address.
* A new user's language is the provider's ``locale`` claim when it is one we serve, else the
  language of the request, as for a sign-up by code.

Apple's private relay addresses (``…@privaterelay.appleid.com``) need nothing special: Apple
reports them as verified and forwards mail to them, so they are ordinary addresses here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin


def language_from_locale_claim(claim: Any) -> str | None:
    """One of ``settings.LANGUAGES`` for a locale (``"de"``, ``"en-GB"``, ``"de_AT"``), or
    ``None`` when it is missing or names a language we do not serve."""
    if not isinstance(claim, str) or not claim:
        return None
    language = claim.replace("_", "-").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "email_unverified": _(
            "%s has not confirmed this e-mail address. Sign in with a code sent to the address instead."
        ),
    }

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse to make an account from an unverified address (see the module's docstring).

        Runs after allauth's lookup: a login that found its account (connected before, or by a
        verified address) passes, and so does connecting a provider to the signed-in account.
        """
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return
        # allauth signs up with the first address (the primary one); without any, it would ask
        # for one and take that unverified too.
        addresses = sociallogin.email_addresses
        if not addresses or not addresses[0].verified:
            raise self.validation_error("email_unverified", sociallogin.provider.name)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> Any:
        """Only a new user is populated: an existing account keeps the language it chose."""
        user = super().populate_user(request, sociallogin, data)
        language = language_from_locale_claim(
            sociallogin.account.extra_data.get("locale")
        ) or language_from_locale_claim(translation.get_language())
        if language and hasattr(user, "locale"):
            user.locale = language
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        sociallogin.email_addresses = [address for address in sociallogin.email_addresses if address.verified]
        return super().save_user(request, sociallogin, form=form)
