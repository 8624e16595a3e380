import pytest
from django.core.management import call_command
from django.db import connection
from drf_spectacular.validation import validate_schema

from tests.helpers import ROOT


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="integer bounds follow the database")
def test_the_committed_openapi_document_is_the_schema_the_code_serves(tmp_path):
    """``openapi.yaml`` is the contract's machine form (the site's types are generated from it):
    a change of the API shows as a change of that file, made on purpose with ``make schema``,
    and a change of the code's layout changes not one byte of it. Made against PostgreSQL, as
    production runs: drf-spectacular takes integer bounds from the database's field ranges."""
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(fresh), verbosity=0)
    committed = ROOT / "openapi.yaml"
    assert fresh.read_text() == committed.read_text(), (
        "the API changed: run `make schema` and commit openapi.yaml"
    )
