"""oscar-api's own checkout, login and sign-up are closed: an order is only ever placed by
``/api/v1/checkout/`` (which Stripe settles), and people log in only through allauth."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "pointer"),
    [("checkout/", "/api/v1/checkout/"), ("login/", "/_allauth/"), ("register/", "/_allauth/")],
)
def test_oscarapis_checkout_and_logins_are_closed(api_client, path, pointer):
    response = api_client.post(f"/api/shop/{path}", {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert pointer in response.json()["error"]["message"]
