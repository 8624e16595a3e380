"""The subscriptions listing in the admin: dj-stripe's mirror (filled as Stripe's webhooks fill it,
Stripe answered at its HTTP boundary), read only, each row read as the shop reads it now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

import backoffice.subscriptions
from shop.subscriptions.services import subscription_sync
from tests.shop.subscription_fakes import subscription_object, ts

pytestmark = pytest.mark.django_db

URL = "/admin/backoffice/subscriptions/"
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def subscribe(make_user, stripe_sub, plans, django_capture_on_commit_callbacks):
    def make(email, *, interval="month", status="active", start=None, end=None, **fields):
        start, end = start or at(6, 1), end or at(7, 1)
        user = make_user(email)
        customer = stripe_sub.customer(user)
        subscription = stripe_sub.hold(
            subscription_object(
                customer=customer["id"],
                price=plans.price(interval),
                status=status,
                start=start,
                end=end,
                **fields,
            )
        )
        with django_capture_on_commit_callbacks(execute=True):
            subscription_sync(subscription_id=subscription["id"], customer_id=customer["id"])
        return user, subscription["id"]

    return make


@pytest.fixture
def five(subscribe):
    return {
        "anna": subscribe("anna@example.com", start=at(6, 1)),
        "ben": subscribe(
            "ben@example.com", interval="year", start=at(5, 2), end=at(5, 2) + timedelta(days=365)
        ),
        "fay": subscribe("fay@example.com", start=at(5, 20), end=at(6, 20), cancel_at_period_end=True),
        # The renewal on 8 June failed: 3 days' grace, so still access on the 10th.
        "gus": subscribe("gus@example.com", status="past_due", start=at(6, 8), end=at(7, 8)),
        "carla": subscribe(
            "carla@example.com", status="canceled", start=at(3, 20), end=at(4, 20), ended_at=ts(at(4, 20))
        ),
    }


def listed(response) -> dict[str, object]:
    return {row.email: row for row in response.context["page"].object_list}


def test_each_subscription_is_listed_as_the_shop_reads_it(staff_client, five):
    response = staff_client.get(URL)
    assert response.status_code == 200
    rows = listed(response)
    assert {email: row.standing for email, row in rows.items()} == {
        "anna@example.com": "active",
        "ben@example.com": "active",
        "fay@example.com": "cancelling",
        "gus@example.com": "past_due",
        "carla@example.com": "ended",
    }
    # Newest first.
    assert [row.email.split("@")[0] for row in response.context["page"].object_list] == [
        "gus",
        "anna",
        "fay",
        "ben",
        "carla",
    ]
    ben = rows["ben@example.com"]
    assert (ben.amount_text, ben.interval, ben.plan) == ("190,00 €", "year", "Jahresabo")
    assert ben.period_end == at(5, 2) + timedelta(days=365)
    assert rows["fay@example.com"].cancel_at_period_end is True
    page = response.content.decode()
    user, subscription_id = five["anna"]
    assert f'href="https://dashboard.stripe.com/test/subscriptions/{subscription_id}"' in page
    assert f'href="/admin/backoffice/customers/{user.pk}/"' in page
    assert "190,00 €" in page and "19,00 €" in page


def test_a_live_subscription_links_to_the_live_dashboard():
    assert (
        backoffice.subscriptions.stripe_url("sub_123", True)
        == "https://dashboard.stripe.com/subscriptions/sub_123"
    )


def test_search_by_email_and_filter_by_status(staff_client, five):
    assert list(listed(staff_client.get(URL, {"q": "FAY@exa"}))) == ["fay@example.com"]
    assert list(listed(staff_client.get(URL, {"status": "past_due"}))) == ["gus@example.com"]
    assert list(listed(staff_client.get(URL, {"status": "ended"}))) == ["carla@example.com"]
    assert sorted(listed(staff_client.get(URL, {"status": "active", "q": "example.com"}))) == [
        "anna@example.com",
        "ben@example.com",
    ]
    assert listed(staff_client.get(URL, {"q": "nobody@"})) == {}


def test_the_list_is_paged_keeping_the_filter(staff_client, five, monkeypatch):
    monkeypatch.setattr(backoffice.subscriptions, "PER_PAGE", 2)
    first = staff_client.get(URL, {"status": "active"})
    assert len(first.context["page"].object_list) == 2
    assert "?status=active&amp;p=2" not in first.content.decode()  # everything fits on one page
    everything = staff_client.get(URL, {"p": "3"})
    assert [row.email for row in everything.context["page"].object_list] == ["carla@example.com"]
    assert "?p=2" in everything.content.decode()
    # A page that does not exist shows the last one, not an error.
    assert staff_client.get(URL, {"p": "99"}).context["page"].number == 3
    assert staff_client.get(URL, {"p": "x"}).context["page"].number == 1


@pytest.mark.parametrize("params", [{"status": "happy"}, {"q": "x" * 300}])
def test_bad_input_is_a_400_with_a_message(staff_client, params):
    response = staff_client.get(URL, params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_listing_costs_the_same_queries_for_one_or_many(staff_client, subscribe):
    subscribe("one@example.com")
    staff_client.get(URL)  # warm the caches the admin menu keeps
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(URL).status_code == 200
    for number in range(6):
        subscribe(f"many{number}@example.com", interval="year" if number % 2 else "month")
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(URL)
    assert len(response.context["page"].object_list) == 7
    assert len(many) == len(one)


def test_only_staff_serving_customers_see_it_and_nothing_is_written(
    client,
    staff_client,
    make_user,
    second_factor_passed,
):
    editor = make_user("editor@phialo.example")
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    second_factor_passed(client, editor)
    assert client.get(URL).status_code in (302, 403)
    editor.user_permissions.add(Permission.objects.get(codename="serve_customers"))
    assert client.get(URL).status_code == 200
    assert staff_client.post(URL, {"status": "ended"}).status_code == 405
