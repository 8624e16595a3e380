"""Social login with Google, Apple and GitHub through allauth's headless API.

The providers are answered at their HTTP boundary (``responses``): Google's and Apple's signing
keys, GitHub's token endpoint and user API. Google and Apple go through the app client's
ID-token flow with ID tokens signed by a key made here; GitHub through the browser client's
redirect flow. Nothing of ours is patched.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.helpers import manage

pytestmark = pytest.mark.django_db

User = get_user_model()

GOOGLE_CLIENT_ID = "123456789012-phialotest.apps.googleusercontent.com"
APPLE_CLIENT_ID = "com.phialo.web"
GITHUB_CLIENT_ID = "Iv1.0a1b2c3d4e5f6a7b"

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"  # allauth reads v1 (PEM), not v3 (JWKS)
APPLE_KEYS_URL = "https://appleid.apple.com/auth/keys"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
GITHUB_USER_URL = "https://api.github.com/user"
GITHUB_EMAILS_URL = "https://api.github.com/user/emails"

TOKEN_LOGIN = "/_allauth/app/v1/auth/provider/token"
APP_SESSION = "/_allauth/app/v1/auth/session"
REDIRECT_LOGIN = "/_allauth/browser/v1/auth/provider/redirect"
BROWSER_SESSION = "/_allauth/browser/v1/auth/session"


# ------------------------------------------------------------------------------
# Signing keys, made once per run: nothing secret is committed
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})

    def as_jwk(self) -> dict:
        """The public half as Apple's JWKS publishes it."""
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def as_pem_certificate(self) -> str:
        """The public half as Google's v1 certs endpoint publishes it: a self-signed X.509 PEM."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.system.gserviceaccount.com")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=14))
            .sign(self.private_key, hashes.SHA256())
        )
        return certificate.public_bytes(Encoding.PEM).decode()


def new_signing_key() -> SigningKey:
    return SigningKey(kid=secrets.token_hex(20), private_key=rsa.generate_private_key(65537, 2048))


@pytest.fixture(scope="session")
def google_key() -> SigningKey:
    return new_signing_key()


@pytest.fixture(scope="session")
def apple_key() -> SigningKey:
    return new_signing_key()


@pytest.fixture(scope="session")
def apple_private_key_p8() -> str:
    """The ES256 key Apple hands out as a .p8 file (signs the client secret in the redirect flow)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


# ------------------------------------------------------------------------------
# Settings and the providers' HTTP boundary
# ------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def social_apps(settings, apple_private_key_p8):
    """All three providers configured, as base.py builds them from the environment."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {
            "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": "GOCSPX-phialo-test-secret"}],
            "SCOPE": ["openid", "email", "profile"],
        },
        "apple": {
            "APPS": [
                {
                    "client_id": APPLE_CLIENT_ID,
                    "secret": "ABC123DEFG",
                    "key": "TEAM123456",
                    "settings": {"certificate_key": apple_private_key_p8},
                }
            ]
        },
        "github": {
            "APPS": [{"client_id": GITHUB_CLIENT_ID, "secret": "0123456789abcdef0123456789abcdef01234567"}],
            "SCOPE": ["user:email"],
        },
    }


@pytest.fixture(autouse=True)
def provider_http(google_key, apple_key) -> Iterator[responses.RequestsMock]:
    """The providers' endpoints. Any other outgoing request fails the test (no network)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(
            GOOGLE_CERTS_URL,
            json={google_key.kid: google_key.as_pem_certificate()},
            headers={"Cache-Control": "public, max-age=22893, must-revalidate, no-transform"},
        )
        mock.get(APPLE_KEYS_URL, json={"keys": [apple_key.as_jwk()]})
        yield mock


@pytest.fixture
def provider_callbacks_routed():
    """The project's URL map routes the providers' callbacks (allauth.urls at accounts/)."""


# ------------------------------------------------------------------------------
# What each provider says about a person
# ------------------------------------------------------------------------------
def google_id_token(key: SigningKey, **claims) -> str:
    now = int(time.time())
    return key.sign(
        {
            "iss": "https://accounts.google.com",
            "azp": GOOGLE_CLIENT_ID,
            "aud": GOOGLE_CLIENT_ID,
            "sub": "110248495921238986420",
            "email": "lena.hoffmann@gmail.com",
            "email_verified": True,
            "name": "Lena Hoffmann",
            "picture": "https://lh3.googleusercontent.com/a/ACg8ocJ-phialo=s96-c",
            "given_name": "Lena",
            "family_name": "Hoffmann",
            "iat": now,
            "nbf": now - 30,
            "exp": now + 3600,
            "jti": secrets.token_hex(20),
            **claims,
        }
    )


def apple_id_token(key: SigningKey, **claims) -> str:
    now = int(time.time())
    return key.sign(
        {
            "iss": "https://appleid.apple.com",
            "aud": APPLE_CLIENT_ID,
            "exp": now + 600,
            "iat": now,
            "sub": "001473.8c0f4e2b9d6a4f1c8e7b3a2d5f6e9c01.1542",
            "c_hash": "pAzx1rR4fP8cH0h7Ydn2bA",
            "email": "mj7xq2kd4p@privaterelay.appleid.com",
            "email_verified": True,
            "is_private_email": True,
            "auth_time": now,
            "nonce_supported": True,
            **claims,
        }
    )


GITHUB_USER = {
    "login": "jonas-goldschmied",
    "id": 58213907,
    "node_id": "MDQ6VXNlcjU4MjEzOTA3",
    "avatar_url": "https://avatars.githubusercontent.com/u/58213907?v=4",
    "html_url": "https://github.com/jonas-goldschmied",
    "type": "User",
    "site_admin": False,
    "name": "Jonas Weber",
    "company": None,
    "blog": "",
    "location": "Pforzheim",
    "email": None,  # no public address: allauth reads /user/emails
    "bio": None,
    "public_repos": 4,
    "followers": 2,
    "following": 1,
    "created_at": "2019-11-26T09:12:44Z",
    "updated_at": "2026-10-02T17:40:12Z",
}


def github_emails(address: str = "jonas@weber-schmuck.de", *, verified: bool = True) -> list[dict]:
    return [
        {"email": address, "primary": True, "verified": verified, "visibility": "private"},
        {
            "email": "58213907+jonas-goldschmied@users.noreply.github.com",
            "primary": False,
            "verified": True,
            "visibility": None,
        },
    ]


# ------------------------------------------------------------------------------
# The two flows, as the Astro site and the app call them
# ------------------------------------------------------------------------------
def token_login(
    provider: str, client_id: str, id_token: str, *, language: str = "de", session_token: str | None = None
):
    """The app client's ID-token login, or with a signed-in ``session_token`` a connect."""
    headers = {"Accept-Language": language} | ({"X-Session-Token": session_token} if session_token else {})
    return Client().post(
        TOKEN_LOGIN,
        {
            "provider": provider,
            "process": "connect" if session_token else "login",
            "token": {"client_id": client_id, "id_token": id_token},
        },
        content_type="application/json",
        headers=headers,
    )


def app_session(response) -> int:
    """The status of the app session the login handed out (401 without a token)."""
    token = response.json().get("meta", {}).get("session_token")
    return Client().get(APP_SESSION, headers={"X-Session-Token": token} if token else {}).status_code


def github_login(mock: responses.RequestsMock, emails: list[dict]):
    """The browser redirect flow, end to end. Returns the client and where it was sent last."""
    client = Client()
    callback_url = "http://localhost:4321/account/provider/callback"
    started = client.post(
        REDIRECT_LOGIN, {"provider": "github", "process": "login", "callback_url": callback_url}
    )
    assert started.status_code == 302, started.content
    authorize = urlparse(started["Location"])
    assert (
        f"{authorize.scheme}://{authorize.netloc}{authorize.path}"
        == "https://github.com/login/oauth/authorize"
    )
    query = parse_qs(authorize.query)
    assert query["client_id"] == [GITHUB_CLIENT_ID]

    mock.post(
        GITHUB_TOKEN_URL,
        json={
            "access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a",
            "token_type": "bearer",
            "scope": "user:email",
        },
    )
    mock.get(GITHUB_USER_URL, json=GITHUB_USER)
    mock.get(GITHUB_EMAILS_URL, json=emails)
    # The redirect URI registered with GitHub.
    redirect_uri = urlparse(query["redirect_uri"][0])
    assert redirect_uri.path == "/accounts/github/login/callback/"
    finished = client.get(redirect_uri.path, {"code": "d6a1c3f0b27e49e8a51c", "state": query["state"][0]})
    assert finished.status_code == 302, finished.content
    assert finished["Location"].startswith(callback_url)
    return client, finished["Location"]


def login_as(provider: str, mock, google_key, apple_key, *, email: str, verified: bool):
    """One login by ``provider`` for ``email``; returns whether a session was established."""
    if provider == "github":
        client, _ = github_login(mock, github_emails(email, verified=verified))
        return client.get(BROWSER_SESSION).status_code == 200
    if provider == "google":
        response = token_login(
            "google", GOOGLE_CLIENT_ID, google_id_token(google_key, email=email, email_verified=verified)
        )
    else:
        response = token_login(
            "apple", APPLE_CLIENT_ID, apple_id_token(apple_key, email=email, email_verified=verified)
        )
    return response.status_code == 200 and app_session(response) == 200


def existing_shopper(email: str):
    """An account as passwordless code login leaves it: a verified address, no password."""
    user = User.objects.create_user(email=email, password=None)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


# ------------------------------------------------------------------------------
# New users
# ------------------------------------------------------------------------------
def test_google_id_token_signs_up_and_logs_in_a_new_user(google_key):
    response = token_login("google", GOOGLE_CLIENT_ID, google_id_token(google_key))

    assert response.status_code == 200, response.content
    assert response.json()["meta"]["is_authenticated"] is True
    assert app_session(response) == 200
    user = User.objects.get(email="lena.hoffmann@gmail.com")
    assert (user.first_name, user.last_name) == ("Lena", "Hoffmann")
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).provider == "google"
    assert EmailAddress.objects.get(user=user).verified


def test_apple_private_relay_address_signs_up_and_logs_in_like_any_address(apple_key):
    # Apple's early tokens carried the flags as strings; allauth reads both.
    token = apple_id_token(apple_key, email_verified="true", is_private_email="true")
    response = token_login("apple", APPLE_CLIENT_ID, token)

    assert response.status_code == 200, response.content
    assert app_session(response) == 200
    user = User.objects.get(email="mj7xq2kd4p@privaterelay.appleid.com")
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).uid == "001473.8c0f4e2b9d6a4f1c8e7b3a2d5f6e9c01.1542"
    assert EmailAddress.objects.get(user=user, email=user.email).verified


def test_github_redirect_flow_signs_up_and_logs_in_a_new_user(provider_http, provider_callbacks_routed):
    client, sent_to = github_login(provider_http, github_emails())

    assert "error" not in parse_qs(urlparse(sent_to).query)
    session = client.get(BROWSER_SESSION)
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "jonas@weber-schmuck.de"
    user = User.objects.get(email="jonas@weber-schmuck.de")
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).uid == "58213907"
    token_request = next(call.request for call in provider_http.calls if call.request.url == GITHUB_TOKEN_URL)
    assert parse_qs(token_request.body)["code"] == ["d6a1c3f0b27e49e8a51c"]


def test_logging_in_again_returns_to_the_same_account(google_key):
    first = token_login("google", GOOGLE_CLIENT_ID, google_id_token(google_key))
    second = token_login(
        "google", GOOGLE_CLIENT_ID, google_id_token(google_key, email="lena@hoffmann.example")
    )

    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["user"]["id"] == second.json()["data"]["user"]["id"]
    assert User.objects.count() == SocialAccount.objects.count() == 1


requires_locale = pytest.mark.skipif(
    not any(field.name == "locale" for field in User._meta.get_fields()),
    reason="the user model has no locale",
)


@requires_locale
@pytest.mark.parametrize(
    ("claim", "request_language", "locale"),
    [("en", "de", "en"), ("en-GB", "de", "en"), ("fr", "en", "en"), (None, "en", "en"), (None, "de", "de")],
)
def test_new_users_language_is_the_providers_locale_else_the_requests(
    google_key, claim, request_language, locale
):
    token = google_id_token(google_key, **({"locale": claim} if claim else {}))
    response = token_login("google", GOOGLE_CLIENT_ID, token, language=request_language)

    assert response.status_code == 200
    assert User.objects.get().locale == locale


# ------------------------------------------------------------------------------
# Existing accounts
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("provider", ["google", "apple", "github"])
def test_verified_address_connects_to_the_existing_account(
    provider, provider_http, google_key, apple_key, provider_callbacks_routed
):
    shopper = existing_shopper("mia@example.de")

    assert login_as(provider, provider_http, google_key, apple_key, email="Mia@example.de", verified=True)

    assert list(User.objects.values_list("pk", flat=True)) == [shopper.pk]
    assert SocialAccount.objects.get(provider=provider).user_id == shopper.pk


@pytest.mark.parametrize("provider", ["google", "apple", "github"])
def test_a_social_login_retires_a_password_the_account_was_given_elsewhere(
    provider, provider_http, google_key, apple_key, provider_callbacks_routed
):
    # A password set outside the code flow (the admin, once Oscar's storefront), maybe not hers.
    pre_account = existing_shopper("mia@example.de")
    pre_account.set_password("Angreifer-2026")
    pre_account.save()

    assert login_as(provider, provider_http, google_key, apple_key, email="mia@example.de", verified=True)

    pre_account.refresh_from_db()
    assert not pre_account.has_usable_password()
    assert not Client().login(email="mia@example.de", password="Angreifer-2026")


@requires_locale
def test_connecting_a_provider_keeps_the_accounts_language(google_key):
    shopper = existing_shopper("mia@example.de")

    response = token_login(
        "google", GOOGLE_CLIENT_ID, google_id_token(google_key, email="mia@example.de", locale="en")
    )

    assert response.status_code == 200
    shopper.refresh_from_db()
    assert shopper.locale == "de"


@pytest.mark.parametrize("provider", ["google", "apple", "github"])
def test_unverified_address_never_logs_in_to_the_existing_account(
    provider, provider_http, google_key, apple_key, provider_callbacks_routed
):
    shopper = existing_shopper("mia@example.de")

    assert not login_as(
        provider, provider_http, google_key, apple_key, email="mia@example.de", verified=False
    )

    assert list(User.objects.values_list("pk", flat=True)) == [shopper.pk]
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("taken", [True, False], ids=["address-has-an-account", "address-is-free"])
def test_unverified_address_makes_no_account_and_the_answer_does_not_tell_if_it_has_one(google_key, taken):
    if taken:
        existing_shopper("mia@example.de")

    token = google_id_token(google_key, email="Mia@Example.de", email_verified=False)
    response = token_login("google", GOOGLE_CLIENT_ID, token)

    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "errors": [
            {
                "code": "email_unverified",
                "message": "Google has not confirmed this e-mail address. "
                "Sign in with a code sent to the address instead.",
            }
        ],
    }
    assert User.objects.count() == int(taken)
    assert not SocialAccount.objects.exists()
    assert mail.outbox == []


def test_signed_in_shopper_may_connect_a_provider_whose_address_is_unverified(google_key, apple_key):
    signed_in = token_login("google", GOOGLE_CLIENT_ID, google_id_token(google_key))
    session_token = signed_in.json()["meta"]["session_token"]

    token = apple_id_token(apple_key, email="lena@hoffmann.example", email_verified=False)
    response = token_login("apple", APPLE_CLIENT_ID, token, session_token=session_token)

    assert response.status_code == 200, response.content
    user = User.objects.get()
    assert sorted(SocialAccount.objects.filter(user=user).values_list("provider", flat=True)) == [
        "apple",
        "google",
    ]
    # Connecting adds no address: the unverified one reserves nothing.
    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["lena.hoffmann@gmail.com"]


def test_github_unverified_address_is_sent_back_to_the_site_with_the_error(
    provider_http, provider_callbacks_routed
):
    client, sent_to = github_login(provider_http, github_emails(verified=False))

    query = parse_qs(urlparse(sent_to).query)
    assert query["error"] == ["email_unverified"] and query["error_process"] == ["login"]
    assert client.get(BROWSER_SESSION).status_code == 401
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_github_unverified_secondary_address_is_not_kept_on_the_new_account(
    provider_http, provider_callbacks_routed
):
    emails = [
        *github_emails(),
        {"email": "someone-else@example.de", "primary": False, "verified": False, "visibility": None},
    ]
    client, _ = github_login(provider_http, emails)

    assert client.get(BROWSER_SESSION).status_code == 200
    assert not EmailAddress.objects.filter(email="someone-else@example.de").exists()


# ------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------
def test_unknown_provider_is_a_400_in_allauths_error_shape_and_stores_nothing(google_key):
    response = token_login("myspace", GOOGLE_CLIENT_ID, google_id_token(google_key))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["errors"][0]["param"] == "token" and body["errors"][0]["code"]
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert not EmailAddress.objects.exists()


def test_unknown_provider_in_the_browser_flow_goes_back_to_the_site_with_an_error():
    response = Client().post(
        REDIRECT_LOGIN,
        {
            "provider": "myspace",
            "process": "login",
            "callback_url": "http://localhost:4321/account/provider/callback",
        },
    )

    # A form POST the browser navigates with: allauth answers with the site's page, not JSON.
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query) == {
        "error": ["unknown"],
        "error_process": ["login"],
    }
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_id_token_not_signed_by_the_provider_is_refused(google_key):
    forged = google_id_token(
        SigningKey(kid=google_key.kid, private_key=rsa.generate_private_key(65537, 2048))
    )
    response = token_login("google", GOOGLE_CLIENT_ID, forged)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_token"
    assert not User.objects.exists()


def test_id_token_for_another_app_is_refused(apple_key):
    response = token_login("apple", APPLE_CLIENT_ID, apple_id_token(apple_key, aud="com.example.other"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_token"
    assert not User.objects.exists()


# ------------------------------------------------------------------------------
# Configuration
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(("client", "flow"), [("app", "provider_token"), ("browser", "provider_redirect")])
def test_configured_providers_are_offered_to_each_client(client, flow):
    providers = Client().get(f"/_allauth/{client}/v1/config").json()["data"]["socialaccount"]["providers"]
    offered = {provider["id"] for provider in providers if flow in provider["flows"]}

    assert offered == ({"google", "apple"} if client == "app" else {"google", "apple", "github"})


def test_a_provider_is_offered_only_when_all_its_credentials_are_configured():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GOOGLE_", "APPLE_", "GITHUB_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "GITHUB_CLIENT_ID": GITHUB_CLIENT_ID,
        "GITHUB_CLIENT_SECRET": "0123456789abcdef",
        "GOOGLE_CLIENT_ID": GOOGLE_CLIENT_ID,
        "GOOGLE_CLIENT_SECRET": "",  # set empty, so that a developer's .env cannot fill it in
        "APPLE_CLIENT_ID": APPLE_CLIENT_ID,
        "APPLE_KEY_ID": "ABC123DEFG",
        "APPLE_TEAM_ID": "TEAM123456",
        "APPLE_PRIVATE_KEY": r"-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMG\n-----END PRIVATE KEY-----",
    }
    script = (
        "from django.conf import settings; import json; p = settings.SOCIALACCOUNT_PROVIDERS; "
        "print(json.dumps([sorted(p), p['apple']['APPS'][0]['settings']['certificate_key']]))"
    )
    result = manage("shell", "-c", script, env=env)

    assert result.returncode == 0, result.stderr
    offered, apple_key = json.loads(result.stdout.strip().splitlines()[-1])
    assert offered == ["apple", "github"]
    assert apple_key == "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMG\n-----END PRIVATE KEY-----"


def test_the_project_routes_provider_callbacks():
    assert reverse("github_callback") == "/accounts/github/login/callback/"
