"""Who is calling a personal endpoint: the ways allauth headless logs people in.

- the Astro site (allauth's *browser* client): Django's session cookie, CSRF-checked on writes;
- other apps (allauth's *app* client): the ``X-Session-Token`` header, and, when allauth's JWT
  token strategy is configured, ``Authorization: Bearer <access token>``.
"""

from __future__ import annotations

from allauth.headless import app_settings as headless_settings
from allauth.headless.contrib.rest_framework.authentication import (
    JWTTokenAuthentication,
    XSessionTokenAuthentication,
)
from allauth.headless.tokens.strategies.jwt import JWTTokenStrategy
from django.contrib.sessions.backends.base import SessionBase
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request


def jwt_configured() -> bool:
    return isinstance(headless_settings.TOKEN_STRATEGY, JWTTokenStrategy)


class ActiveJWTTokenAuthentication(JWTTokenAuthentication):
    """allauth's JWT access tokens, only when that token strategy is configured (otherwise there is
    no key to check them with), and never for a deactivated or erased account: without stateful
    validation allauth checks only the signature, and a token lives for minutes after erasure."""

    def authenticate(self, request: Request):
        if not jwt_configured():
            return None
        return super().authenticate(request)

    def authenticate_credentials(self, key: str):
        user, payload = super().authenticate_credentials(key)
        try:
            active = user.is_active
        except user.__class__.DoesNotExist as error:
            raise AuthenticationFailed("Invalid token.") from error
        if not active:
            raise AuthenticationFailed("Invalid token.")
        return user, payload


PERSONAL_AUTHENTICATION = [SessionAuthentication, XSessionTokenAuthentication, ActiveJWTTokenAuthentication]


def authenticated_session(request: Request) -> SessionBase | None:
    """The session the caller authenticated with: the cookie's, the one an ``X-Session-Token``
    names, or the one a JWT access token was issued in. allauth records each login in it."""
    if isinstance(request.auth, SessionBase):
        return request.auth
    if isinstance(request.successful_authenticator, ActiveJWTTokenAuthentication):
        from allauth.headless.tokens.strategies.jwt.internal import get_token_session

        return get_token_session(request.auth)
    if isinstance(request.successful_authenticator, SessionAuthentication):
        return request.session
    return None


# drf-spectacular describes allauth's X-Session-Token itself (contrib/django_allauth.py).
class JWTScheme(OpenApiAuthenticationExtension):
    target_class = ActiveJWTTokenAuthentication
    name = "jwtAuth"
    priority = 1  # before drf-spectacular's generic token scheme, which matches subclasses

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=headless_settings.JWT_AUTHORIZATION_HEADER_SCHEME,
            bearer_format="JWT",
        )
