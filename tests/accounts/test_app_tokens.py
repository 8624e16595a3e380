"""Apps log in through allauth's headless *app* client: the same e-mailed code, then a short-lived
JWT access token and a rotating refresh token, signed RS256 with the key from the environment as
in production."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from freezegun import freeze_time

from tests.helpers import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rs256_tokens")]


def log_in(app, mailbox, email: str = "kundin@example.com"):
    response = app.post("/auth/code/request", {"email": email})
    assert response.status_code == 401
    assert app.session_token  # the pending login is carried by the session token
    response = app.post("/auth/code/confirm", {"code": mailbox.last(to=email).code})
    assert response.status_code == 200
    return response


def refresh(app, refresh_token: str):
    return app().post("/tokens/refresh", {"refresh_token": refresh_token})


def test_an_app_logs_in_by_code_and_gets_rs256_tokens_that_open_protected_endpoints(
    app, shopper, mailbox, rsa_private_key_pem
):
    phone = app()

    response = log_in(phone, mailbox)

    assert response.json()["meta"]["is_authenticated"] is True
    assert phone.access_token and phone.refresh_token
    public_key = load_pem_private_key(rsa_private_key_pem.encode(), password=None).public_key()
    claims = jwt.decode(phone.access_token, public_key, algorithms=["RS256"])
    assert claims["sub"] == str(shopper.pk)
    assert claims["exp"] - claims["iat"] == 5 * 60
    session = phone.get("/auth/session", access_token=phone.access_token)
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "kundin@example.com"
    # Without the token, or with a forged one, the same endpoint says "not logged in".
    assert app().get("/auth/session").status_code == 401
    forged = jwt.encode(claims, "a guessed secret", algorithm="HS256")
    assert app().get("/auth/session", access_token=forged).status_code == 401


def test_an_app_signs_up_a_new_address_with_the_code_in_the_language_of_the_request(app, mailbox):
    phone = app(language="en")

    response = phone.post("/auth/signup", {"email": "new@example.com"})

    assert response.status_code == 401
    message = mailbox.last()
    assert message.subject == "Your Phialo sign-in code"
    assert phone.post("/auth/code/confirm", {"code": message.code}).status_code == 200
    session = phone.get("/auth/session", access_token=phone.access_token)
    assert session.json()["data"]["user"]["email"] == "new@example.com"


def test_refreshing_rotates_the_refresh_token_and_the_old_one_then_fails(app, shopper, mailbox):
    phone = app()
    log_in(phone, mailbox)
    first = phone.refresh_token

    response = refresh(app, first)

    assert response.status_code == 200
    tokens = response.json()["data"]
    assert tokens["refresh_token"] != first
    assert tokens["access_token"] != phone.access_token
    assert phone.get("/auth/session", access_token=tokens["access_token"]).status_code == 200
    # A refresh token works once: replaying the old one fails, the new one works.
    assert refresh(app, first).status_code == 400
    assert refresh(app, tokens["refresh_token"]).status_code == 200


def test_an_access_token_lasts_five_minutes_and_the_refresh_token_renews_it(app, shopper, mailbox):
    with freeze_time("2026-11-23 09:00:00") as clock:
        phone = app()
        log_in(phone, mailbox)
        clock.tick(datetime.timedelta(minutes=5, seconds=1))

        assert phone.get("/auth/session", access_token=phone.access_token).status_code == 401
        response = refresh(app, phone.refresh_token)
        assert response.status_code == 200
        new_access_token = response.json()["data"]["access_token"]
        assert phone.get("/auth/session", access_token=new_access_token).status_code == 200


def test_logging_out_ends_the_access_and_the_refresh_token_at_once(app, shopper, mailbox):
    phone = app()
    log_in(phone, mailbox)

    response = phone.delete("/auth/session", access_token=phone.access_token)

    assert response.status_code == 401
    # At once, not when the access token's five minutes are up: it is checked against its session.
    assert phone.get("/auth/session", access_token=phone.access_token).status_code == 401
    assert refresh(app, phone.refresh_token).status_code == 400


# allauth's own token code, run in an interpreter that has imported nothing but Django's setup
# (not even ``jwt`` itself: importing it loads the very modules the trap is about).
PROBE = """
import base64, json
import django
django.setup()
from allauth.headless.tokens.strategies.jwt import internal
sid = internal.session_key_to_sid("a-session-key")
token, _ = internal.create_token("access", sub="1", sid=sid, expires_in=60)
assert internal.decode_token(token, "access")["sub"] == "1"
assert internal.session_key_from_sid(sid) == "a-session-key"
header = token.split(".")[0]
print(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"])
"""


def test_rs256_tokens_are_made_and_read_in_a_fresh_process(rsa_private_key_pem):
    """allauth 65.21 imports cryptography lazily and, without AccountsConfig.ready()'s imports,
    fails on every RS256 login. This test process has long imported those modules itself (which
    hides the failure), so the check runs in a fresh interpreter."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "HEADLESS_JWT_PRIVATE_KEY": rsa_private_key_pem,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "RS256"
