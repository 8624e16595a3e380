"""Shared fixtures of the shop's tests: a small priced catalogue, shoppers, baskets, orders.

The catalogue: three videos, a course holding videos 1 and 2, a bundle holding the course and
video 3, all published in German (video 1 and the course also in English), each with its product.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product
from oscar.core.loading import get_class
from wagtail.models import Locale

from cms.models import BundlePage, CoursePage, LibraryIndexPage, VideoPage
from cms.services import object_translate
from demo.catalogue import seed_site_tree
from shop.catalogue.selectors import product_for_page
from shop.checkout.ordering import order_place

Selector = get_class("partner.strategy", "Selector")


@dataclass
class ShopCatalog:
    library: LibraryIndexPage
    videos: list[VideoPage]
    course: CoursePage
    bundle: BundlePage
    english_video: VideoPage
    english_course: CoursePage

    def product(self, page) -> Product:
        return product_for_page(page)


def _publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def shop_catalog(db, django_capture_on_commit_callbacks) -> ShopCatalog:
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
        english = Locale.objects.get(language_code="en")
        videos = [
            _publish_child(
                library,
                VideoPage(title=title, slug=slug, price=Decimal(price), duration_seconds=600),
            )
            for title, slug, price in (
                ("Löten mit dem Mikrobrenner", "loeten", "9.00"),
                ("Fassen von Steinen", "fassen", "12.00"),
                ("Polieren auf Hochglanz", "polieren", "19.99"),
            )
        ]
        course = _publish_child(
            library,
            CoursePage(
                title="Grundkurs Goldschmieden",
                slug="grundkurs",
                price=Decimal("29.00"),
                sections=[("section", {"title": "Grundlagen", "lessons": videos[:2]})],
            ),
        )
        bundle = _publish_child(
            library,
            BundlePage(
                title="Meisterpaket",
                slug="meisterpaket",
                price=Decimal("39.00"),
                items=[("course", course), ("video", videos[2])],
            ),
        )
        english_video = object_translate(
            obj=videos[0],
            locale=english,
            strings={"Löten mit dem Mikrobrenner": "Soldering with a micro torch"},
        )
        english_course = object_translate(
            obj=course,
            locale=english,
            strings={"Grundkurs Goldschmieden": "Goldsmithing basics", "Grundlagen": "Basics"},
        )
    return ShopCatalog(library, videos, course, bundle, english_video, english_course)


@pytest.fixture
def make_user(db):
    def make(email: str = "kundin@example.com", **fields):
        fields.setdefault("locale", "de")
        return get_user_model().objects.create_user(email=email, password=None, **fields)

    return make


@pytest.fixture
def customer(make_user):
    return make_user()


def basket_for(user, *products: Product) -> Basket:
    """The user's open basket holding ``products``, priced by the shop's strategy."""
    basket, _ = Basket.open.get_or_create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product in products:
        basket.add_product(product)
    return basket


@pytest.fixture
def place_order():
    """An order waiting for payment, placed from a fresh basket holding ``products``."""

    def place(user, *products: Product):
        basket = basket_for(user, *products)
        return order_place(basket=basket, user=user, email=user.email)

    return place


@pytest.fixture
def buy(place_order):
    """A paid order of ``items`` (pages or products) for ``user``, paid through the shop's own
    payment path (as the local payment page pays), so its lines are paid and its grants made."""
    from django.utils import timezone

    from shop.models import Checkout
    from shop.payments.services import payment_succeeded

    def paid(user, *items):
        products = [item if isinstance(item, Product) else product_for_page(item) for item in items]
        order = place_order(user, *products)
        checkout = Checkout.objects.create(order=order, user=user, provider=Checkout.Provider.LOCAL)
        payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=timezone.now())
        order.refresh_from_db()
        return order

    return paid
