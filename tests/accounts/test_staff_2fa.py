"""Anyone who can reach an admin needs a second factor (TOTP, with recovery codes); shoppers don't."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from accounts.demo import seed_admin
from accounts.staff_2fa import MAX_FAILURES
from cms.demo import seed_site_tree

pytestmark = pytest.mark.django_db

ADMINS = ["/admin/", "/dashboard/", "/django-admin/"]


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def staff(client):
    seed_site_tree()  # the admins' dashboards show the page tree
    user = seed_admin(password="secret-for-tests")
    assert client.login(email=user.email, password="secret-for-tests")
    return user


def set_up_totp(client) -> tuple[str, list[str]]:
    page = client.get("/staff/2fa/setup/?next=/admin/")
    secret = page.context["secret"]
    response = client.post("/staff/2fa/setup/", {"code": current_code(secret), "next": "/admin/"})
    assert response.status_code == 200
    return secret, response.context["codes"]


@pytest.mark.parametrize("path", ADMINS)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/2fa/setup/?next={path}"


def test_setting_up_totp_gives_recovery_codes_and_opens_every_admin(client, staff):
    page = client.get("/staff/2fa/setup/")
    assert b"<svg" in page.content and page.context["secret"].encode() in page.content
    wrong = client.post("/staff/2fa/setup/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert not Authenticator.objects.filter(user=staff).exists()

    _secret, codes = set_up_totp(client)
    assert len(codes) >= 8
    assert set(Authenticator.objects.filter(user=staff).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    for path in ADMINS:
        assert client.get(path).status_code == 200, path


def test_every_new_session_asks_for_a_code_again(client, staff):
    secret, _codes = set_up_totp(client)
    client.logout()
    assert client.login(email=staff.email, password="secret-for-tests")
    assert client.get("/admin/")["Location"] == "/staff/2fa/verify/?next=/admin/"
    assert client.post("/staff/2fa/verify/", {"code": "123456"}).status_code == 200
    response = client.post("/staff/2fa/verify/", {"code": current_code(secret), "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_recovery_code_works_once(client, staff):
    _secret, codes = set_up_totp(client)
    for attempt in range(2):
        client.logout()
        assert client.login(email=staff.email, password="secret-for-tests")
        response = client.post("/staff/2fa/verify/", {"code": codes[0], "next": "/admin/"})
        if attempt == 0:
            assert response["Location"] == "/admin/"
        else:
            assert response.status_code == 200 and response.context["form"].errors
            assert client.get("/admin/").status_code == 302


def test_too_many_wrong_codes_end_the_session(client, staff):
    set_up_totp(client)
    client.logout()
    assert client.login(email=staff.email, password="secret-for-tests")
    for _ in range(MAX_FAILURES):
        response = client.post("/staff/2fa/verify/", {"code": "000000"})
    assert response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_a_redirect_after_the_code_never_leaves_the_site(client, staff):
    secret, _codes = set_up_totp(client)
    client.logout()
    assert client.login(email=staff.email, password="secret-for-tests")
    response = client.post(
        "/staff/2fa/verify/", {"code": current_code(secret), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_shoppers_are_not_asked_and_cannot_use_the_staff_pages(client, django_user_model):
    shopper = django_user_model.objects.create_user(email="kundin@example.com", password="x")
    client.force_login(shopper)
    assert client.get("/api/v1/").status_code == 200
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/staff/2fa/setup/")["Location"].startswith("/admin/login/")
