"""Shared fixtures for the accounts tests: shoppers, allauth's two headless clients as the Astro
site and an app use them, the e-mails they receive, and an RSA key for RS256 tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpResponse
from django.test import Client

# allauth's default code: 8 letters without vowels, shown as XXXX-XXXX.
LOGIN_CODE = re.compile(r"\b[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}\b")


# ------------------------------------------------------------------------------
# People
# ------------------------------------------------------------------------------
@pytest.fixture
def make_shopper(db) -> Callable[..., Any]:
    """A shopper as a finished sign-up leaves them: no usable password, a verified address."""

    def make(email: str = "kundin@example.com", **fields: Any):
        user = get_user_model()(email=email, **fields)
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def shopper(make_shopper):
    return make_shopper()


# ------------------------------------------------------------------------------
# allauth's headless clients
# ------------------------------------------------------------------------------
class HeadlessBrowser:
    """The Astro site in one browser: allauth's browser client with the session cookie and the
    CSRF token, as ``fetch(..., {credentials: "include"})`` sends them."""

    base = "/_allauth/browser/v1"

    def __init__(self, language: str = "de") -> None:
        self.client = Client(enforce_csrf_checks=True, headers={"accept-language": language})

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def get(self, path: str) -> HttpResponse:
        return self.client.get(self.url(path))

    def post(self, path: str, data: dict | None = None) -> HttpResponse:
        return self.client.post(
            self.url(path), data or {}, content_type="application/json", headers=self._csrf_header()
        )

    def delete(self, path: str) -> HttpResponse:
        return self.client.delete(self.url(path), headers=self._csrf_header())

    def _csrf_header(self) -> dict[str, str]:
        if django_settings.CSRF_COOKIE_NAME not in self.client.cookies:
            self.get("/config")  # every browser-client answer sets the CSRF cookie
        return {"x-csrftoken": self.client.cookies[django_settings.CSRF_COOKIE_NAME].value}

    @property
    def session_key(self) -> str | None:
        cookie = self.client.cookies.get(django_settings.SESSION_COOKIE_NAME)
        return cookie.value if cookie and cookie.value else None

    def is_authenticated(self) -> bool:
        response = self.get("/auth/session")
        return response.status_code == 200 and response.json()["meta"]["is_authenticated"]


class HeadlessApp:
    """An app (not the Astro site): allauth's app client. It carries the session token allauth
    hands out while a flow is pending and, once logged in, the JWT access and refresh tokens."""

    base = "/_allauth/app/v1"

    def __init__(self, language: str = "de") -> None:
        self.client = Client(headers={"accept-language": language})
        self.session_token: str | None = None
        self.access_token: str | None = None
        self.refresh_token: str | None = None

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def _headers(self, access_token: str | None) -> dict[str, str]:
        headers = {}
        if self.session_token and not self.access_token:
            headers["x-session-token"] = self.session_token
        if access_token:
            headers["authorization"] = f"Bearer {access_token}"
        return headers

    def _remember(self, response: HttpResponse) -> HttpResponse:
        meta = response.json().get("meta", {}) if response.get("content-type") == "application/json" else {}
        self.session_token = meta.get("session_token", self.session_token)
        self.access_token = meta.get("access_token", self.access_token)
        self.refresh_token = meta.get("refresh_token", self.refresh_token)
        return response

    def get(self, path: str, *, access_token: str | None = None) -> HttpResponse:
        return self._remember(self.client.get(self.url(path), headers=self._headers(access_token)))

    def post(self, path: str, data: dict | None = None, *, access_token: str | None = None) -> HttpResponse:
        response = self.client.post(
            self.url(path), data or {}, content_type="application/json", headers=self._headers(access_token)
        )
        return self._remember(response)

    def delete(self, path: str, *, access_token: str | None = None) -> HttpResponse:
        return self._remember(self.client.delete(self.url(path), headers=self._headers(access_token)))


@pytest.fixture
def browser(db) -> Callable[..., HeadlessBrowser]:
    """``browser(language="en")``: a fresh browser whose Accept-Language is ``language``."""
    return HeadlessBrowser


@pytest.fixture
def app(db) -> Callable[..., HeadlessApp]:
    """``app(language="en")``: a fresh app install talking to the app client."""
    return HeadlessApp


# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceivedMail:
    to: list[str]
    subject: str
    text: str
    html: str

    @property
    def code(self) -> str:
        found = LOGIN_CODE.findall(self.text)
        assert found, f"no login code in:\n{self.text}"
        return found[0]

    def links(self) -> list[str]:
        return re.findall(r"https?://\S+", self.text)

    def link_to(self, prefix: str) -> str:
        matching = [link for link in self.links() if link.startswith(prefix)]
        assert matching, f"no link to {prefix} in:\n{self.text}"
        return matching[0]

    @staticmethod
    def query(link: str) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


class Mailbox:
    """``mail.outbox`` as a shopper reads it: text and HTML part of each message."""

    @property
    def messages(self) -> list[ReceivedMail]:
        received = []
        for message in mail.outbox:
            html = next(
                (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), ""
            )
            received.append(
                ReceivedMail(to=message.to, subject=message.subject, text=message.body, html=html)
            )
        return received

    def last(self, to: str | None = None) -> ReceivedMail:
        messages = [message for message in self.messages if to is None or to in message.to]
        assert messages, f"no e-mail to {to or 'anyone'}"
        return messages[-1]

    def __len__(self) -> int:
        return len(mail.outbox)


@pytest.fixture
def mailbox() -> Mailbox:
    mail.outbox.clear()
    return Mailbox()


# ------------------------------------------------------------------------------
# JWT tokens for the app client, signed as in production (RS256)
# ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def rsa_private_key_pem() -> str:
    """A fresh RSA key per test run, PEM-encoded as HEADLESS_JWT_PRIVATE_KEY holds it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


@pytest.fixture
def rs256_tokens(settings, rsa_private_key_pem) -> str:
    """The app client signs its tokens as production does; returns the key's PEM."""
    settings.HEADLESS_JWT_PRIVATE_KEY = rsa_private_key_pem
    settings.HEADLESS_JWT_ALGORITHM = "RS256"
    return rsa_private_key_pem
