"""The demo's discounts: made once, and working as a shopper would try them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from oscar.apps.offer.models import Benefit, ConditionalOffer, Range
from oscar.apps.voucher.models import Voucher

from demo.offers import seed_offers
from tests.shop.test_vouchers import checkout

pytestmark = pytest.mark.django_db


def test_seeding_twice_makes_the_offer_and_the_codes_once(shop_catalog):
    first = seed_offers()
    counts = [model.objects.count() for model in (ConditionalOffer, Voucher, Range, Benefit)]

    second = seed_offers()

    assert [model.objects.count() for model in (ConditionalOffer, Voucher, Range, Benefit)] == counts
    assert {key: value.pk for key, value in first.items()} == {key: value.pk for key, value in second.items()}
    assert Voucher.objects.get(code="WILLKOMMEN10").usage == Voucher.ONCE_PER_CUSTOMER


def test_the_demo_discounts_take_what_they_promise(shop_catalog, make_user):
    seed_offers()
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[0])

    newcomer = checkout(make_user("neu@example.com"), course, video)  # first-timer: 10 % off everything
    with_course_code = checkout(make_user("kurs@example.com"), course, video, code="KURS5")

    assert newcomer.total_incl_tax == Decimal("34.20")
    # The code takes 5 EUR off the course; the first-timer offer still gives 10 % on the video.
    assert with_course_code.total_incl_tax == Decimal("24.00") + Decimal("8.10")
