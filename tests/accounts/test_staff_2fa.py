"""Anyone who can reach an admin needs a second factor (TOTP, with recovery codes); shoppers don't."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document

from accounts.staff_2fa import MAX_FAILURES
from demo.accounts import seed_admin
from demo.catalogue import seed_site_tree

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


# ------------------------------------------------------------------------------
# A password alone opens nothing (issue 16, item 1 and "also close")
# ------------------------------------------------------------------------------
PASSWORD = "secret-for-tests"


@pytest.fixture
def staff_with_totp(client, staff) -> tuple[str, list[str]]:
    """The demo admin with TOTP set up, logged out again: ``(secret, recovery codes)``."""
    secret, codes = set_up_totp(client)
    client.logout()
    return secret, codes


def password_login(client, email: str = "admin@phialo.localhost") -> None:
    """Wagtail's login form, as staff use it: the password and nothing else."""
    response = client.post("/admin/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    assert "_auth_user_id" in client.session


def assert_refused_as_json(response) -> None:
    assert response.status_code in (401, 403), (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")


ALLAUTH_ACCOUNT = [
    ("post", "/auth/reauthenticate", {"password": PASSWORD}),
    ("get", "/account/authenticators", None),
    ("get", "/account/authenticators/recovery-codes", None),
    ("post", "/account/authenticators/recovery-codes", {}),
    ("delete", "/account/authenticators/totp", None),
    ("post", "/account/password/change", {"current_password": PASSWORD, "new_password": "an0ther-Secret!"}),
    ("get", "/account/email", None),
]


def test_a_password_session_reaches_no_account_endpoint_of_either_client(client, staff, staff_with_totp):
    _secret, codes = staff_with_totp
    password_login(client)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    by_token = Client()  # an app naming the same session by allauth's X-Session-Token, no cookie
    for method, path, data in ALLAUTH_ACCOUNT:
        for caller, base, headers in (
            (client, "/_allauth/browser/v1", {}),
            (by_token, "/_allauth/app/v1", {"X-Session-Token": session_key}),
        ):
            kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
            response = getattr(caller, method)(f"{base}{path}", headers=headers, **kwargs)
            assert_refused_as_json(response)
            assert codes[1].encode() not in response.content
    assert_refused_as_json(by_token.get("/api/v1/me/export/", headers={"X-Session-Token": session_key}))
    assert_refused_as_json(client.get("/api/v1/me/"))
    assert staff.check_password(PASSWORD)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # And nothing read there opens an admin: the session still needs its code.
    assert client.get("/django-admin/")["Location"].startswith("/staff/2fa/verify/")


@pytest.mark.parametrize("kind", ["browser", "app"])
def test_a_password_never_reauthenticates_an_account_with_an_authenticator(
    kind, request, client, staff, staff_with_totp, mailbox
):
    _secret, codes = staff_with_totp
    headless = request.getfixturevalue(kind)()
    assert headless.post("/auth/code/request", {"email": staff.email}).status_code == 401
    pending = headless.post("/auth/code/confirm", {"code": mailbox.last(to=staff.email).code})
    assert [flow["id"] for flow in pending.json()["data"]["flows"] if flow.get("is_pending")] == [
        "mfa_authenticate"
    ]
    assert headless.post("/auth/2fa/authenticate", {"code": codes[0]}).status_code == 200

    # Logged in with the second factor, yet the password does not count as reauthentication ...
    token = {"access_token": headless.access_token} if kind == "app" else {}
    refused = headless.post("/auth/reauthenticate", {"password": PASSWORD}, **token)
    assert refused.status_code == 400
    assert headless.get("/account/authenticators/recovery-codes", **token).status_code == 401
    assert headless.delete("/account/authenticators/totp", **token).status_code == 401
    assert headless.post("/account/authenticators/recovery-codes", {}, **token).status_code == 401
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # ... only the second factor itself does.
    assert headless.post("/auth/2fa/reauthenticate", {"code": codes[1]}, **token).status_code == 200
    shown = headless.get("/account/authenticators/recovery-codes", **token)
    assert shown.status_code == 200 and codes[2] in shown.json()["data"]["unused_codes"]


def test_allauths_own_second_factor_stage_counts_as_verified(browser, staff, staff_with_totp, mailbox):
    _secret, codes = staff_with_totp
    headless = browser()
    headless.post("/auth/code/request", {"email": staff.email})
    headless.post("/auth/code/confirm", {"code": mailbox.last(to=staff.email).code})
    assert headless.post("/auth/2fa/authenticate", {"code": codes[0]}).status_code == 200
    assert headless.client.get("/admin/").status_code == 200


@pytest.fixture
def dashboard_user(django_user_model):
    """Not staff, no Wagtail access: only Oscar's ``partner.dashboard_access``."""
    user = django_user_model.objects.create_user(email="haendler@phialo.example", password=PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="dashboard_access"))
    return user


def test_dashboard_users_need_the_second_factor_too(client, dashboard_user):
    assert client.login(email=dashboard_user.email, password=PASSWORD)
    assert client.get("/dashboard/")["Location"] == "/staff/2fa/setup/?next=/dashboard/"
    assert_refused_as_json(client.get("/api/v1/me/"))


def test_documents_need_the_second_factor(client, staff, staff_with_totp):
    document = Document.objects.create(
        title="Preisliste", file=ContentFile(b"%PDF-1.4 secret", name="preise.pdf")
    )
    password_login(client)
    response = client.get(document.url)
    assert response.status_code == 302 and response["Location"].startswith("/staff/2fa/verify/")


def test_the_site_mounted_under_a_prefix_is_guarded_the_same(client, staff, staff_with_totp):
    password_login(client)
    response = client.get("/admin/", SCRIPT_NAME="/portal")
    assert response.status_code == 302
    assert "/staff/2fa/verify/" in response["Location"]


def test_wrong_codes_are_counted_across_fresh_logins(client, staff, staff_with_totp):
    secret, _codes = staff_with_totp
    password_login(client)
    for _ in range(MAX_FAILURES):
        client.post("/staff/2fa/verify/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    password_login(client)  # a fresh session must not mean fresh guesses
    response = client.post("/staff/2fa/verify/", {"code": current_code(secret), "next": "/admin/"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get("/admin/")["Location"].startswith("/staff/2fa/verify/")


def test_a_permission_granted_mid_session_asks_for_the_code_at_once(client, django_user_model):
    person = django_user_model.objects.create_user(email="bald-haendler@phialo.example", password=PASSWORD)
    client.force_login(person)
    assert client.get("/api/v1/me/").status_code == 200  # a shopper: nothing asked (and cached)
    editors = Group.objects.create(name="Shop team")
    editors.user_set.add(person)
    assert client.get("/api/v1/me/").status_code == 200
    editors.permissions.add(Permission.objects.get(codename="dashboard_access"))
    assert_refused_as_json(client.get("/api/v1/me/"))
    assert client.get("/dashboard/")["Location"].startswith("/staff/2fa/setup/")
