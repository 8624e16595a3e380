"""The demo's shop data comes from the real page sync, and its orders buy those products."""

from __future__ import annotations

import pytest
from oscar.apps.order.models import Order

from demo.catalogue import TOPICS, seed_site_tree, seed_videos
from demo.orders import seed_orders, seed_products

pytestmark = pytest.mark.django_db


def _quiet(what: str, done: int, total: int) -> None:
    pass


def test_demo_orders_buy_the_products_of_the_priced_videos(
    django_capture_on_commit_callbacks, django_user_model
):
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
        videos = seed_videos(library, 3, _quiet)
    shopper = django_user_model.objects.create_user(email="kundin@example.com", password="x")

    products = seed_products(videos)
    again = seed_products(videos)
    created = seed_orders(2, [shopper], products, _quiet)

    priced = [video for video in videos if video.price]
    assert len(priced) == len([topic for topic in TOPICS[:3] if topic[4]])
    assert [product.upc for product in products] == [str(video.translation_key) for video in priced]
    assert [product.title for product in products] == [video.title for video in priced]
    assert again == products
    assert created == 2
    assert sorted(Order.objects.values_list("total_incl_tax", flat=True)) == sorted(
        video.price for video in priced
    )
