"""One basket per shopper: what a visitor put in the basket through oscar-api before logging in is
in the shopper's basket after, however they logged in, and nobody else's basket is ever taken."""

from __future__ import annotations

import pytest
from django.test import Client
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product
from oscar.apps.partner.strategy import Selector

from accounts.models import User
from demo.catalogue import seed_site_tree
from shop.basket.merge import basket_merge_at_login
from tests.shop.factories import draft_catalog_page, publish

pytestmark = pytest.mark.django_db

PASSWORD = "Goldschmiede-2026"


@pytest.fixture
def products(django_capture_on_commit_callbacks) -> list[Product]:
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
    for title in ("Fassen von Cabochons", "Granulation", "Emaille im Brennofen"):
        publish(draft_catalog_page(library, title=title, price="19.00"))
    return list(Product.objects.order_by("title"))  # Emaille, Fassen, Granulation


@pytest.fixture
def shopper(django_user_model) -> User:
    return django_user_model.objects.create_user(email="ada@example.com", password=PASSWORD)


def add_to_basket(client: Client, product: Product) -> None:
    """What the Astro site sends when a visitor clicks "add to basket"."""
    response = client.post(
        "/api/shop/basket/add-product/",
        {"url": f"http://testserver/api/shop/products/{product.pk}/", "quantity": 1},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def basket_titles(client: Client) -> list[tuple[str, int]]:
    """The basket as the Astro site reads it from oscar-api: product titles and quantities."""
    basket = client.get("/api/shop/basket/").json()
    lines = client.get(basket["lines"]).json()
    titles = []
    for line in lines["results"]:  # paginated, as every list in the API
        product = client.get(line["product"]).json()
        titles.append((product["title"], line["quantity"]))
    return sorted(titles)


def own_basket(user: User) -> Basket:
    basket = Basket.open.get(owner=user)
    basket.strategy = Selector().strategy(user=user)
    return basket


def test_the_anonymous_basket_is_the_shoppers_basket_after_login(products, shopper):
    client = Client()
    add_to_basket(client, products[0])
    add_to_basket(client, products[1])

    # Shoppers log in by code or social account, which end in Django's login() as this does; a
    # password never logs a shopper in (tests/accounts/test_password_login.py).
    client.force_login(shopper)

    assert basket_titles(client) == [("Emaille im Brennofen", 1), ("Fassen von Cabochons", 1)]
    assert Basket.open.filter(owner=shopper).count() == 1
    assert not Basket.open.filter(owner=None).exists()


def test_anonymous_lines_join_the_shoppers_existing_basket_without_doubling(products, shopper):
    before = Client()
    before.force_login(shopper)
    add_to_basket(before, products[0])  # a line left from an earlier visit
    visitor = Client()
    add_to_basket(visitor, products[0])
    add_to_basket(visitor, products[2])

    visitor.force_login(shopper)

    assert basket_titles(visitor) == [("Emaille im Brennofen", 1), ("Granulation", 1)]
    assert Basket.open.filter(owner=shopper).count() == 1
    assert Basket.objects.filter(status=Basket.MERGED).count() == 1


def test_a_shopper_with_two_open_baskets_ends_with_one(products, shopper):
    for product in products[:2]:
        basket = Basket.objects.create(owner=shopper)
        basket.strategy = Selector().strategy(user=shopper)
        basket.add_product(product)
    visitor = Client()
    add_to_basket(visitor, products[2])

    visitor.force_login(shopper)

    assert Basket.open.filter(owner=shopper).count() == 1
    assert own_basket(shopper).num_lines == 3


def test_login_without_an_anonymous_basket_changes_nothing(products, shopper):
    client = Client()
    client.force_login(shopper)

    assert not Basket.objects.exists()


def test_another_shoppers_basket_is_never_taken(products, shopper, django_user_model):
    other = django_user_model.objects.create_user(email="bea@example.com", password=PASSWORD)
    theirs = Basket.objects.create(owner=other)
    theirs.strategy = Selector().strategy(user=other)
    theirs.add_product(products[1])

    assert basket_merge_at_login(user=shopper, anonymous_basket_id=theirs.pk) is None

    assert own_basket(other).num_lines == 1
    assert not Basket.objects.filter(owner=shopper).exists()


def test_a_basket_already_paid_for_is_not_merged(products, shopper):
    visitor = Client()
    add_to_basket(visitor, products[0])
    Basket.objects.filter(owner=None).update(status=Basket.SUBMITTED)

    visitor.force_login(shopper)

    assert not Basket.open.filter(owner=shopper).exists()
