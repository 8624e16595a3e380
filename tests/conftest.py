import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (it is Redis in CI: rate-limit counters would leak)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> Client:
    """A client that answers like production: an exception becomes a response, not a raise."""
    return Client(raise_request_exception=False)
