"""/healthz tells a load balancer, and a person, which part is down."""

import pytest
from django.db import connections


@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_when_every_part_answers(api_client, settings):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    expected = {"database", "cache", "storage", "private_storage"}
    expected |= {"broker"} if settings.CELERY_BROKER_URL else set()
    assert set(body["checks"]) == expected
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.fixture
def unreachable_database():
    """Point the default connection at a database that cannot be reached, then put it back."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/phialo.sqlite3"
    else:
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "9"})  # nothing listens there
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_naming_the_database_when_it_is_unreachable(api_client, unreachable_database):
    response = api_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["cache"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_healthz_names_the_broker_when_it_is_configured_but_down(api_client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    response = api_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
