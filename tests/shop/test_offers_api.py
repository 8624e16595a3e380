"""``GET /api/v1/offers/``: the site offers running now, and whether each applies to the caller."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer

from shop.statuses import OrderStatus
from tests.shop.test_first_timer import make_first_timer_offer
from tests.shop.test_vouchers import checkout, make_range, make_voucher

pytestmark = pytest.mark.django_db

OFFERS = "/api/v1/offers/"


@pytest.fixture
def first_timer_offer(db) -> ConditionalOffer:
    return make_first_timer_offer()


@pytest.fixture
def course_offer(shop_catalog) -> ConditionalOffer:
    courses = make_range("Kurse", product_classes=["course"])
    return ConditionalOffer.objects.create(
        name="Kurswoche: 5 € auf Kurse",
        description="Bis Sonntag.",
        offer_type=ConditionalOffer.SITE,
        condition=Condition.objects.create(range=courses, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=courses, type=Benefit.FIXED, value=Decimal("5.00")),
        start_datetime=datetime(2026, 5, 1, tzinfo=UTC),
        end_datetime=datetime(2026, 5, 10, 22, tzinfo=UTC),
        priority=5,
    )


@freeze_time("2026-05-04 10:00:00")
def test_anyone_sees_the_offers_running_now_in_a_public_answer(
    shop_catalog, first_timer_offer, course_offer, api_client
):
    ConditionalOffer.objects.create(  # over: not shown
        name="Ostern",
        offer_type=ConditionalOffer.SITE,
        condition=course_offer.condition,
        benefit=course_offer.benefit,
        end_datetime=datetime(2026, 4, 6, tzinfo=UTC),
    )
    make_voucher("ZEHN", percent="10")  # a code's offer: not a site offer

    response = api_client.get(OFFERS)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]
    body = response.json()
    assert body["count"] == 2
    course_item, first_timer_item = body["results"]  # the higher priority first
    assert course_item == {
        "id": course_offer.pk,
        "slug": course_offer.slug,
        "name": "Kurswoche: 5 € auf Kurse",
        "description": "Bis Sonntag.",
        "benefit": {"kind": "amount", "percentage": None, "amount": {"amount": "5.00", "currency": "EUR"}},
        "applies_to": {"name": "Kurse", "everything": False, "product_classes": ["course"], "items": []},
        "starts_at": "2026-05-01T00:00:00Z",
        "ends_at": "2026-05-10T22:00:00Z",
        "first_timer": False,
        "applies_to_you": None,
    }
    assert first_timer_item["benefit"] == {"kind": "percentage", "percentage": "10.00", "amount": None}
    assert first_timer_item["applies_to"]["everything"] is True
    assert (first_timer_item["first_timer"], first_timer_item["applies_to_you"]) == (True, None)


def test_a_logged_in_shopper_learns_whether_the_first_timer_offer_is_theirs(
    shop_catalog, first_timer_offer, customer, client
):
    client.force_login(customer)

    before = client.get(OFFERS)
    order = checkout(customer, shop_catalog.product(shop_catalog.videos[0]))
    while_unpaid = client.get(OFFERS).json()["results"][0]["applies_to_you"]
    order.set_status(OrderStatus.PAID)
    after = client.get(OFFERS).json()["results"][0]["applies_to_you"]

    assert before.status_code == 200
    assert "private" in before["Cache-Control"]
    assert before.json()["results"][0]["applies_to_you"] is True
    assert (while_unpaid, after) == (False, False)


def test_the_list_costs_the_same_few_queries_however_many_offers_run(
    shop_catalog, first_timer_offer, customer, client, django_assert_max_num_queries
):
    client.force_login(customer)
    for number in range(10):
        video = shop_catalog.product(shop_catalog.videos[number % 3])
        single = make_range(f"Video {number}", products=[video])
        ConditionalOffer.objects.create(
            name=f"Angebot {number}",
            offer_type=ConditionalOffer.SITE,
            condition=Condition.objects.create(range=single, type=Condition.COUNT, value=1),
            benefit=Benefit.objects.create(range=single, type=Benefit.PERCENTAGE, value=Decimal("15")),
        )

    with django_assert_max_num_queries(10):
        response = client.get(OFFERS)

    assert response.json()["count"] == 11
    assert sum(1 for item in response.json()["results"] if item["applies_to"]["items"]) == 10
