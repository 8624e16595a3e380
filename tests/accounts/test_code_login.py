"""Passwordless log-in and sign-up by e-mailed code, as the Astro site runs it through allauth's
headless *browser* client (session cookie and CSRF token).

One flow for everyone: ``POST auth/signup`` with the address, the code arrives by e-mail (with a
link to the site's confirm page), ``POST auth/code/confirm`` logs in. Returning shoppers may also
start at ``auth/code/request``.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from freezegun import freeze_time

pytestmark = pytest.mark.django_db

User = get_user_model()

CONFIRM_PAGE = "http://localhost:4321/account/login/code"
SIGNUP_PAGE = "http://localhost:4321/account/signup"
# What each language looks like in the e-mails: subject and greeting.
LOGIN_CODE_MAIL = {
    "de": ("Dein Anmeldecode für Phialo", "Hallo,", "Der Code gilt 10 Minuten"),
    "en": ("Your Phialo sign-in code", "Hello,", "The code is valid for 10 minutes"),
}


def pending_flows(response) -> list[str]:
    return [flow["id"] for flow in response.json()["data"]["flows"] if flow.get("is_pending")]


def assert_login_code_mail(message, *, to: str, language: str) -> str:
    """The code e-mail as the shopper reads it, in ``language``; returns the code."""
    subject, greeting, validity = LOGIN_CODE_MAIL[language]
    assert message.to == [to]
    assert message.subject == subject
    assert message.text.startswith(greeting) and validity in message.text
    link = message.link_to(CONFIRM_PAGE)
    assert message.query(link) == {"code": message.code, "email": to}
    # The HTML part says the same and links to the same page.
    assert message.code in message.html and f'href="{link.replace("&", "&amp;")}"' in message.html
    assert f'lang="{language}"' in message.html
    return message.code


# ------------------------------------------------------------------------------
# The flow
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_new_address_signs_up_with_the_mailed_code_in_the_language_of_the_request(
    browser, mailbox, language
):
    shopper = browser(language=language)

    response = shopper.post("/auth/signup", {"email": "Neu@Example.com"})

    assert response.status_code == 401
    assert pending_flows(response) == ["login_by_code"]
    assert not shopper.is_authenticated()
    code = assert_login_code_mail(mailbox.last(), to="neu@example.com", language=language)

    response = shopper.post("/auth/code/confirm", {"code": code})

    assert response.status_code == 200
    assert response.json()["data"]["user"]["email"] == "neu@example.com"
    session = shopper.get("/auth/session").json()
    assert session["meta"]["is_authenticated"] is True
    assert session["data"]["user"]["email"] == "neu@example.com"
    account = User.objects.get(email="neu@example.com")
    assert not account.has_usable_password()
    assert account.locale == language  # later e-mails keep the language the shopper signed up in
    assert EmailAddress.objects.get(user=account).verified


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_returning_shopper_logs_in_with_the_code_in_their_own_language(
    browser, make_shopper, mailbox, language
):
    make_shopper("kundin@example.com", locale=language)
    other_language = "en" if language == "de" else "de"
    shopper = browser(language=other_language)  # the account's language wins over the browser's

    response = shopper.post("/auth/code/request", {"email": "kundin@example.com"})

    assert response.status_code == 401
    assert pending_flows(response) == ["login_by_code"]
    code = assert_login_code_mail(mailbox.last(), to="kundin@example.com", language=language)
    assert shopper.post("/auth/code/confirm", {"code": code}).status_code == 200
    assert shopper.is_authenticated()


@pytest.mark.parametrize("endpoint", ["/auth/code/request", "/auth/signup"])
def test_an_account_made_outside_allauth_logs_in_with_the_code_alone(browser, mailbox, endpoint):
    # As the demo seed and the admin make them: no address record, no password.
    account = User(email="shopper1@shoppers.phialo.localhost")
    account.set_unusable_password()
    account.save()
    browser_ = browser()
    browser_.post(endpoint, {"email": "shopper1@shoppers.phialo.localhost"})

    response = browser_.post("/auth/code/confirm", {"code": mailbox.last().code})

    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == account.pk
    assert len(mailbox) == 1  # no second e-mail asking to verify the address
    assert EmailAddress.objects.get(user=account).verified


def test_signing_up_with_a_known_address_mails_a_code_for_that_account(browser, shopper, mailbox):
    before = User.objects.count()
    browser_ = browser()

    response = browser_.post("/auth/signup", {"email": "kundin@example.com"})

    assert response.status_code == 401
    assert pending_flows(response) == ["login_by_code"]
    code = assert_login_code_mail(mailbox.last(), to="kundin@example.com", language="de")
    response = browser_.post("/auth/code/confirm", {"code": code})
    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == shopper.pk
    assert User.objects.count() == before


def test_the_answer_does_not_tell_whether_an_address_has_an_account(browser, shopper, mailbox):
    known = browser().post("/auth/signup", {"email": "kundin@example.com"})
    unknown = browser().post("/auth/signup", {"email": "neu@example.com"})

    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert [message.subject for message in mailbox.messages] == ["Dein Anmeldecode für Phialo"] * 2


@pytest.mark.parametrize(
    ("language", "subject"), [("de", "Noch kein Konto bei Phialo"), ("en", "No Phialo account yet")]
)
def test_asking_for_a_code_for_an_unknown_address_mails_the_way_to_sign_up(
    browser, mailbox, language, subject
):
    response = browser(language=language).post("/auth/code/request", {"email": "neu@example.com"})

    assert response.status_code == 401  # the same answer as for a known address
    assert pending_flows(response) == ["login_by_code"]
    message = mailbox.last()
    assert message.subject == subject
    assert message.query(message.link_to(SIGNUP_PAGE)) == {"email": "neu@example.com"}
    assert not message.links()[0].startswith(CONFIRM_PAGE)
    assert not User.objects.filter(email="neu@example.com").exists()


def test_signing_up_with_a_known_address_never_logs_in_without_the_code(browser, shopper, mailbox, settings):
    # Should the code stage ever be switched off for sign-ups, a sign-up must not become a way in.
    settings.ACCOUNT_LOGIN_BY_CODE_REQUIRED = False
    browser_ = browser()

    browser_.post("/auth/signup", {"email": "kundin@example.com"})

    assert not browser_.is_authenticated()
    assert len(mailbox) == 0


def test_signing_up_with_the_address_of_a_deactivated_account_logs_nobody_in(browser, make_shopper, mailbox):
    make_shopper("gesperrt@example.com", is_active=False)
    shopper = browser()

    response = shopper.post("/auth/signup", {"email": "gesperrt@example.com"})

    assert response.status_code == 401
    message = mailbox.last()
    assert message.subject == "Dein Konto bei Phialo"
    assert CONFIRM_PAGE not in message.text and not message.links()  # no code, nothing to confirm
    assert shopper.post("/auth/code/confirm", {"code": "BCDF-GHJK"}).status_code == 400
    assert not shopper.is_authenticated()


# ------------------------------------------------------------------------------
# What a code may not do
# ------------------------------------------------------------------------------
def test_a_wrong_code_three_times_ends_the_flow(browser, shopper, mailbox):
    browser_ = browser()
    browser_.post("/auth/code/request", {"email": "kundin@example.com"})
    code = mailbox.last().code

    for _ in range(3):
        response = browser_.post("/auth/code/confirm", {"code": "BCDF-GHJK"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "incorrect_code"

    # The right code no longer helps: the shopper has to ask for a new one.
    assert browser_.post("/auth/code/confirm", {"code": code}).status_code == 409
    assert not browser_.is_authenticated()


@pytest.mark.parametrize(("seconds_later", "status"), [(9 * 60 + 59, 200), (10 * 60 + 1, 409)])
def test_a_code_expires_after_ten_minutes(browser, shopper, mailbox, seconds_later, status):
    with freeze_time("2026-11-23 09:00:00") as clock:
        browser_ = browser()
        browser_.post("/auth/code/request", {"email": "kundin@example.com"})
        code = mailbox.last().code
        clock.tick(datetime.timedelta(seconds=seconds_later))

        assert browser_.post("/auth/code/confirm", {"code": code}).status_code == status
        assert browser_.is_authenticated() is (status == 200)


def test_a_used_code_cannot_be_used_again(browser, shopper, mailbox):
    browser_ = browser()
    browser_.post("/auth/code/request", {"email": "kundin@example.com"})
    code = mailbox.last().code
    assert browser_.post("/auth/code/confirm", {"code": code}).status_code == 200
    assert browser_.delete("/auth/session").status_code == 401

    assert browser_.post("/auth/code/confirm", {"code": code}).status_code == 409
    assert browser().post("/auth/code/confirm", {"code": code}).status_code == 409
    assert not browser_.is_authenticated()


def test_a_new_code_can_be_sent_twice_and_only_the_newest_works(browser, shopper, mailbox):
    browser_ = browser()
    browser_.post("/auth/code/request", {"email": "kundin@example.com"})

    assert browser_.post("/auth/code/resend").status_code == 200
    assert browser_.post("/auth/code/resend").status_code == 200
    assert browser_.post("/auth/code/resend").status_code == 409
    codes = [message.code for message in mailbox.messages]
    assert len(codes) == len(set(codes)) == 3
    assert browser_.post("/auth/code/confirm", {"code": codes[0]}).status_code == 400
    assert browser_.post("/auth/code/confirm", {"code": codes[-1]}).status_code == 200


# ------------------------------------------------------------------------------
# Rate limits (counted in the cache, which tests/conftest.py empties for each test)
# ------------------------------------------------------------------------------
def test_codes_for_one_address_are_limited_to_three_in_ten_minutes(browser, shopper, mailbox):
    with freeze_time("2026-11-23 09:00:00") as clock:
        for _ in range(3):
            assert browser().post("/auth/code/request", {"email": "kundin@example.com"}).status_code == 401

        response = browser().post("/auth/code/request", {"email": "KUNDIN@example.com"})
        assert response.status_code == 429
        # Signing up with the address spends the same budget.
        assert browser().post("/auth/signup", {"email": "kundin@example.com"}).status_code == 429
        assert len(mailbox) == 3
        # Other addresses are not affected, and the address gets codes again later.
        assert browser().post("/auth/code/request", {"email": "neu@example.com"}).status_code == 401
        clock.tick(datetime.timedelta(minutes=10, seconds=1))
        assert browser().post("/auth/code/request", {"email": "kundin@example.com"}).status_code == 401


@pytest.mark.parametrize("known", [True, False], ids=["known address", "unknown address"])
def test_signing_up_spends_the_same_budget_whether_or_not_the_address_is_known(
    browser, make_shopper, mailbox, known
):
    if known:
        make_shopper("kundin@example.com")
    for _ in range(3):
        assert browser().post("/auth/code/request", {"email": "kundin@example.com"}).status_code == 401

    assert browser().post("/auth/signup", {"email": "kundin@example.com"}).status_code == 429
    assert User.objects.filter(email="kundin@example.com").exists() is known


def test_codes_asked_for_from_one_ip_are_limited_to_twenty_a_minute(browser, mailbox):
    with freeze_time("2026-11-23 09:00:00"):
        for number in range(20):
            response = browser().post("/auth/code/request", {"email": f"person{number}@example.com"})
            assert response.status_code == 401

        assert browser().post("/auth/code/request", {"email": "person20@example.com"}).status_code == 429
        assert len(mailbox) == 20


# ------------------------------------------------------------------------------
# The session
# ------------------------------------------------------------------------------
def test_logging_in_gives_the_browser_a_new_session_key(browser, shopper, mailbox):
    browser_ = browser()
    browser_.post("/auth/code/request", {"email": "kundin@example.com"})
    key_before_login = browser_.session_key
    assert key_before_login  # the pending login lives in the session

    browser_.post("/auth/code/confirm", {"code": mailbox.last().code})

    assert browser_.session_key not in (None, key_before_login)
    assert not Session.objects.filter(session_key=key_before_login).exists()


def test_logging_out_ends_the_session_on_the_server(browser, shopper, mailbox):
    browser_ = browser()
    browser_.post("/auth/code/request", {"email": "kundin@example.com"})
    browser_.post("/auth/code/confirm", {"code": mailbox.last().code})
    logged_in_key = browser_.session_key

    response = browser_.delete("/auth/session")

    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    assert not Session.objects.filter(session_key=logged_in_key).exists()
    # A copy of the old cookie (say, stolen before logout) is worth nothing.
    replay = Client()
    replay.cookies["sessionid"] = logged_in_key
    assert replay.get("/_allauth/browser/v1/auth/session").status_code == 401


@pytest.mark.parametrize("endpoint", ["/auth/code/request", "/auth/signup"])
def test_a_malformed_address_is_a_400_and_stores_nothing(browser, mailbox, endpoint):
    counts_before = (User.objects.count(), EmailAddress.objects.count(), Session.objects.count())

    response = browser().post(endpoint, {"email": "kundin(at)example.com"})

    assert response.status_code == 400
    assert [error["param"] for error in response.json()["errors"]] == ["email"]
    assert (User.objects.count(), EmailAddress.objects.count(), Session.objects.count()) == counts_before
    assert len(mailbox) == 0
