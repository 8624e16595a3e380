import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from config.api.schema import without_database_ranges
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


def test_the_committed_openapi_document_is_the_schema_the_code_serves(tmp_path):
    """``openapi.yaml`` is the contract's machine form (the site's types are generated from it):
    a change of the API shows as a change of that file, made on purpose with ``make schema``,
    and a change of the code's layout changes not one byte of it.
    The same on every database (``config.api.schema.without_database_ranges``)."""
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(fresh), verbosity=0)
    committed = ROOT / "openapi.yaml"
    assert fresh.read_text() == committed.read_text(), (
        "the API changed: run `make schema` and commit openapi.yaml"
    )


def test_integer_bounds_of_the_database_do_not_reach_the_document():
    """SQLite (the demo) and PostgreSQL (production, CI) give integer columns other ranges: the
    document must not say which database ran it, or the demo's and the site's types differ."""
    sqlite = {"type": "integer", "maximum": 9223372036854775807, "minimum": 0, "format": "int64"}
    postgres = {"type": "integer", "maximum": 2147483647, "minimum": 0}
    ours = {"type": "integer", "maximum": 100, "minimum": 1}
    document = {"components": {"a": sqlite, "b": [postgres], "c": ours}}

    without_database_ranges(document, None, None, True)

    assert sqlite == postgres == {"type": "integer", "minimum": 0}
    assert ours == {"type": "integer", "maximum": 100, "minimum": 1}
