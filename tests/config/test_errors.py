"""Everything under /api/ answers in one JSON error shape, whatever went wrong and wherever."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


@pytest.mark.parametrize(
    "path",
    ["/api/nothing-here", "/api/nothing-here/", "/api/v1/nothing-here/", "/api/v1/catalog/nope"],
)
def test_unknown_api_path_is_a_json_404_not_a_redirect_or_html(api_client, path):
    assert_error_shape(api_client.get(path), 404, "not_found")


def test_wrong_method_is_a_json_405_that_says_what_is_allowed(api_client):
    response = api_client.delete("/api/v1/")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_wrong_method_on_wagtail_api_is_in_the_same_shape(api_client):
    assert_error_shape(api_client.post("/api/v2/pages/"), 405, "method_not_allowed")


def test_bad_query_on_wagtail_api_keeps_its_message(api_client):
    error = assert_error_shape(api_client.get("/api/v2/pages/?type=nope.Nothing"), 400, "bad_request")
    assert "type" in error["message"]


def test_unknown_oscar_api_object_is_in_the_same_shape(api_client):
    assert_error_shape(api_client.get("/api/shop/products/999999/"), 404, "not_found")


@override_settings(ROOT_URLCONF="tests.config.urls_for_errors")
@pytest.mark.parametrize("path", ["/api/v1/test/plain-raises/", "/api/v1/test/drf-raises/"])
def test_a_view_that_raises_gives_a_json_500_without_details(api_client, path, caplog):
    error = assert_error_shape(api_client.get(path), 500, "server_error")
    assert "boom" not in error["message"]
    assert "boom" in caplog.text  # ... but it is logged for us


@override_settings(ROOT_URLCONF="tests.config.urls_for_errors")
def test_throttled_request_is_a_json_429_with_retry_after(api_client):
    assert api_client.get("/api/v1/test/throttled/").status_code == 200
    response = api_client.get("/api/v1/test/throttled/")
    assert_error_shape(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0


def test_errors_outside_the_api_are_left_to_django(api_client):
    response = api_client.get("/django-admin/nothing-here/")
    assert response.status_code in (302, 404)
    assert not response["Content-Type"].startswith("application/json")
