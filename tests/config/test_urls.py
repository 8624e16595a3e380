"""The URL map of API.md, and who may reach what."""

import pytest

pytestmark = pytest.mark.django_db

ASTRO = "http://localhost:4321"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),
        ("/api/v1/", 200),
        ("/api/v2/pages/", 200),
        ("/api/shop/", 200),
        ("/api/schema/", 200),
        ("/api/docs/", 200),
        ("/_allauth/browser/v1/config", 200),
        ("/_allauth/app/v1/config", 200),
        ("/_allauth/openapi.json", 200),
        ("/admin/login/", 200),
    ],
)
def test_public_entry_points_answer(api_client, path, status):
    assert api_client.get(path).status_code == status


@pytest.mark.parametrize("path", ["/admin/", "/dashboard/", "/django-admin/"])
def test_admins_send_strangers_to_a_login(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_staff_sign_in_once_through_wagtail_for_the_oscar_dashboard(api_client):
    login = api_client.get("/dashboard/")["Location"]
    assert api_client.get(login)["Location"] == "/admin/login/?next=/dashboard/"


def test_cors_allows_the_astro_site_and_no_one_else(api_client):
    allowed = api_client.get("/api/v1/", headers={"Origin": ASTRO})
    assert allowed["Access-Control-Allow-Origin"] == ASTRO
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    stranger = api_client.get("/api/v1/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger


def test_stripe_webhook_rejects_an_unsigned_event(api_client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    response = api_client.post("/stripe/webhook/", data=b"{}", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
