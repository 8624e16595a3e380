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


@pytest.fixture
def second_factor_passed():
    """Mark a logged-in client's session as past the staff second factor (accounts/staff_2fa)."""
    from accounts.staff_2fa import VERIFIED_SESSION_KEY

    def mark(client, user) -> None:
        session = client.session
        session[VERIFIED_SESSION_KEY] = user.pk
        session.save()

    return mark


@pytest.fixture
def staff_client(client, second_factor_passed):
    """A client logged in as the demo admin, past the staff second factor."""
    from demo.accounts import seed_admin

    admin = seed_admin(password="secret-for-tests")
    assert client.login(email="admin@phialo.localhost", password="secret-for-tests")
    second_factor_passed(client, admin)
    return client
