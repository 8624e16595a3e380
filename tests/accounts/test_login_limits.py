"""Password and second-factor guesses are limited per account and per client address (issue 16,
item 8): allauth's ``login_failed`` budget, in the cache, for the Wagtail and Django admin logins
and allauth's own login and reauthentication alike. Once spent, even the right password is refused.

Client addresses come from allauth's trusted-proxy setting; with no proxy trusted (the default),
an ``X-Forwarded-For`` the client writes changes nothing."""

from __future__ import annotations

import random

import pytest
from django.test import Client

from demo.accounts import seed_admin

pytestmark = pytest.mark.django_db

PASSWORD = "secret-for-tests"
ATTACKER = "198.51.100.7"
GUESSES = 25


@pytest.fixture
def staff(db):
    return seed_admin(password=PASSWORD)


def spoofed() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


def admin_login(path: str):
    def attempt(email: str, password: str, address: str) -> bool:
        client = Client(REMOTE_ADDR=address)
        client.post(path, {"username": email, "password": password}, headers={"X-Forwarded-For": spoofed()})
        return "_auth_user_id" in client.session

    return attempt


def headless_login(email: str, password: str, address: str) -> bool:
    """allauth's password login; the right password leads on to the e-mailed code (401 pending),
    a wrong one is a 400, and a spent budget a 429."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        "/_allauth/browser/v1/auth/login",
        {"email": email, "password": password},
        content_type="application/json",
        headers={"X-Forwarded-For": spoofed()},
    )
    return response.status_code == 401 and any(
        flow.get("is_pending") for flow in response.json()["data"]["flows"]
    )


ENTRIES = {
    "wagtail": admin_login("/admin/login/"),
    "django-admin": admin_login("/django-admin/login/"),
    "allauth": headless_login,
}


@pytest.mark.parametrize("entry", ENTRIES)
def test_wrong_passwords_for_one_account_from_many_addresses_lock_it(staff, entry):
    attempt = ENTRIES[entry]
    assert attempt(staff.email, PASSWORD, "192.0.2.1")  # the right password works at first
    for guess in range(GUESSES):
        assert not attempt(staff.email, f"guess-{guess}", f"203.0.113.{guess + 1}")
    assert not attempt(staff.email, PASSWORD, "192.0.2.200")


@pytest.mark.parametrize("entry", ENTRIES)
def test_wrong_passwords_from_one_address_across_accounts_lock_the_address(staff, entry):
    attempt = ENTRIES[entry]
    for guess in range(GUESSES):
        assert not attempt(f"person{guess}@phialo.example", f"guess-{guess}", ATTACKER)
    assert not attempt(staff.email, PASSWORD, ATTACKER)
    assert attempt(staff.email, PASSWORD, "192.0.2.1")  # the account itself is not locked


def test_wrong_passwords_at_reauthentication_are_limited(django_user_model):
    person = django_user_model.objects.create_user(email="mit-passwort@phialo.example", password=PASSWORD)
    client = Client(REMOTE_ADDR="192.0.2.1")
    client.force_login(person)

    def reauthenticate(password: str, address: str):
        return client.post(
            "/_allauth/browser/v1/auth/reauthenticate",
            {"password": password},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    for guess in range(GUESSES):
        assert reauthenticate(f"guess-{guess}", f"203.0.113.{guess + 1}").status_code in (400, 429)
    assert reauthenticate(PASSWORD, "192.0.2.200").status_code == 429
