import pytest
from drf_spectacular.validation import validate_schema


@pytest.mark.django_db
def test_schema_is_a_valid_openapi_3_document_of_the_public_api(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/" in schema["paths"]
    assert any(path.startswith("/api/shop/basket") for path in schema["paths"])
    assert not any(path.startswith(("/admin/", "/api/shop/admin/")) for path in schema["paths"])


@pytest.mark.django_db
def test_api_docs_page_serves_without_a_cdn(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content
