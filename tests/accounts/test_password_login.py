"""No password ever logs a shopper in, and an account made outside the code flow cannot be claimed
by it with someone else's password still attached (issue 16, item 2: pre-account takeover).

The attack as it was seen: the attacker registers the victim's address with a password of their
own (Oscar's ``/accounts/register/``, now gone); the owner later signs up by code and is logged in
to that same account; the attacker's password still worked and read ``/api/v1/me/export/``.
Staff keep their password (and pass a second factor after it).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tests.accounts.test_code_login import pending_flows

pytestmark = pytest.mark.django_db

User = get_user_model()

VICTIM = "opfer@example.com"
ATTACKERS_PASSWORD = "Angreifer-Passwort-2026"
EXPORT = "/api/v1/me/export/"


@pytest.fixture
def pre_account():
    """What Oscar's registration left: the victim's address, the attacker's password, unverified."""
    return User.objects.create_user(email=VICTIM, password=ATTACKERS_PASSWORD)


def owner_signs_up_by_code(browser, mailbox):
    owner = browser()
    response = owner.post("/auth/signup", {"email": VICTIM})
    assert pending_flows(response) == ["login_by_code"]
    assert owner.post("/auth/code/confirm", {"code": mailbox.last(to=VICTIM).code}).status_code == 200
    return owner


def attacker_password_logins(browser) -> dict[str, bool]:
    """Every way a password was tried: allauth's headless login, oscar-api's login (both
    spellings), Django's ``authenticate``. Which of them reached a logged-in session."""
    results = {}
    headless = browser()
    answer = headless.post("/auth/login", {"email": VICTIM, "password": ATTACKERS_PASSWORD})
    results["allauth"] = answer.status_code == 200 or headless.is_authenticated()
    for path in ("/api/shop/login/", "/api/shop/login.json"):
        client = Client()
        body = {"username": VICTIM, "password": ATTACKERS_PASSWORD}
        client.post(path, body, content_type="application/json")
        results[path] = client.get(EXPORT).status_code == 200
    results["authenticate"] = Client().login(email=VICTIM, password=ATTACKERS_PASSWORD)
    return results


def test_a_password_never_logs_a_shopper_in(browser, pre_account):
    assert attacker_password_logins(browser) == {
        "allauth": False,
        "/api/shop/login/": False,
        "/api/shop/login.json": False,
        "authenticate": False,
    }


def test_the_owner_signing_in_by_code_kills_a_password_set_before(browser, mailbox, pre_account):
    owner = owner_signs_up_by_code(browser, mailbox)

    assert owner.client.get(EXPORT).status_code == 200  # the owner is in, and stays in
    pre_account.refresh_from_db()
    assert not pre_account.has_usable_password()
    assert not any(attacker_password_logins(browser).values())


def session_logged_in_with_the_password(user) -> Client:
    """A session got with the password before this fix (Oscar's login, oscar-api's login.json):
    it carries the hash of the password it was made with."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return client


def test_a_session_the_attacker_held_before_the_owner_signed_in_ends(browser, mailbox, pre_account):
    attacker = session_logged_in_with_the_password(pre_account)
    assert attacker.get(EXPORT).status_code == 200

    owner = owner_signs_up_by_code(browser, mailbox)

    assert attacker.get(EXPORT).status_code in (401, 403)
    assert owner.client.get(EXPORT).status_code == 200


def test_staff_still_sign_in_with_their_password(db):
    staff = User.objects.create_user(email="team@phialo.example", password="secret-for-tests")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    client = Client()

    assert client.login(email="TEAM@phialo.example", password="secret-for-tests")
    client.force_login(staff)  # signing in again keeps the staff password
    staff.refresh_from_db()
    assert staff.check_password("secret-for-tests")


def test_wagtail_admin_access_counts_as_staff_for_the_password(db):
    editor = User.objects.create_user(email="redaktion@phialo.example", password="secret-for-tests")
    assert not Client().login(email=editor.email, password="secret-for-tests")

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))

    assert Client().login(email=editor.email, password="secret-for-tests")
