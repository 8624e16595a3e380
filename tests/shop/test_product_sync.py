"""Pages make products: publishing a priced German page puts one Oscar product on sale at the
page's price; unpublishing, deleting or making it free takes it off sale; translations never
make a second one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from oscar.apps.catalogue.models import Product
from oscar.apps.order.models import Line as OrderLine
from oscar.apps.partner.strategy import Selector
from oscar.test.factories import create_basket, create_order
from wagtail.models import Locale

from cms.models import BundlePage, CoursePage, LibraryIndexPage, VideoPage
from cms.services import object_translate
from demo.catalogue import seed_site_tree
from shop.catalogue.selectors import product_for_page
from tests.shop.factories import draft_catalog_page, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(django_capture_on_commit_callbacks) -> LibraryIndexPage:
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
    return library


@pytest.fixture
def english() -> Locale:
    return Locale.objects.get(language_code="en")


def add_to_basket(client: Client, product: Product):
    """What the Astro site sends when a shopper clicks "add to basket"."""
    return client.post(
        "/api/shop/basket/add-product/",
        {"url": f"http://testserver/api/shop/products/{product.pk}/", "quantity": 1},
        content_type="application/json",
    )


def is_available_to_buy(product: Product) -> bool:
    return Selector().strategy().fetch_for_product(product).availability.is_available_to_buy


@pytest.mark.parametrize(
    ("page_class", "product_class"),
    [(VideoPage, "video"), (CoursePage, "course"), (BundlePage, "bundle")],
)
def test_publishing_a_priced_page_puts_it_on_sale_at_its_price(library, page_class, product_class):
    page = publish(draft_catalog_page(library, page_class=page_class, price="19.00"))

    product = Product.objects.get()
    assert product.upc == str(page.translation_key)
    assert product.title == "Löten mit dem Mikrobrenner"
    assert product.product_class.slug == product_class
    assert not product.product_class.requires_shipping
    stockrecord = product.stockrecords.get()
    assert (stockrecord.partner.code, stockrecord.price, stockrecord.price_currency) == (
        "phialo",
        Decimal("19.00"),
        "EUR",
    )
    response = add_to_basket(Client(), product)
    assert response.status_code == 200
    assert Decimal(response.json()["total_incl_tax"]) == Decimal("19.00")


def test_saving_a_draft_sells_nothing_until_it_is_published(library):
    page = draft_catalog_page(library)
    page.save_revision()

    assert product_for_page(page) is None


def test_publishing_a_new_price_changes_what_shoppers_pay(library):
    page = publish(draft_catalog_page(library, price="9.00"))
    product = product_for_page(page)

    publish(page, price=Decimal("12.50"))

    assert Product.objects.get() == product
    assert product.stockrecords.get().price == Decimal("12.50")
    response = add_to_basket(Client(), product)
    assert Decimal(response.json()["total_incl_tax"]) == Decimal("12.50")


def test_unpublished_page_cannot_be_added_to_the_basket_until_republished(library):
    page = publish(draft_catalog_page(library))
    product = product_for_page(page)

    page.unpublish()

    product.refresh_from_db()
    assert not product.is_public
    assert not is_available_to_buy(product)
    refused = add_to_basket(Client(), product)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "item_unavailable"

    publish(page)

    assert Product.objects.get() == product
    product.refresh_from_db()
    assert product.is_public
    assert is_available_to_buy(product)
    accepted = add_to_basket(Client(), product)
    assert accepted.status_code == 200
    assert Decimal(accepted.json()["total_incl_tax"]) == Decimal("9.00")


def test_withdrawing_a_product_keeps_the_orders_that_hold_it(library, django_user_model):
    page = publish(draft_catalog_page(library))
    product = product_for_page(page)
    shopper = django_user_model.objects.create_user(email="kundin@example.com", password="x")
    basket = create_basket(empty=True)
    basket.add_product(product)
    order = create_order(user=shopper, basket=basket)

    page.unpublish()

    line = OrderLine.objects.get(order=order)
    assert line.product == product
    assert line.line_price_incl_tax == Decimal("9.00")


def test_a_basket_loses_a_product_that_is_withdrawn(library):
    page = publish(draft_catalog_page(library))
    client = Client()
    assert add_to_basket(client, product_for_page(page)).status_code == 200

    page.unpublish()

    basket = client.get("/api/shop/basket/").json()
    assert Decimal(basket["total_incl_tax"]) == Decimal("0.00")


def test_deleting_the_page_takes_its_product_off_sale(library):
    page = publish(draft_catalog_page(library))
    product = product_for_page(page)

    page.delete()

    product.refresh_from_db()
    assert not product.is_public
    assert add_to_basket(Client(), product).status_code == 409


def test_publishing_a_translation_never_makes_a_second_product(
    library, english, django_capture_on_commit_callbacks
):
    page = publish(draft_catalog_page(library, price="9.00"))

    with django_capture_on_commit_callbacks(execute=True):
        translation = object_translate(
            obj=page, locale=english, strings={"Löten mit dem Mikrobrenner": "Soldering with a micro torch"}
        )
    # An editor overriding the price on the English page does not reprice the German product.
    publish(translation, price=Decimal("1.00"))

    assert translation.live
    product = Product.objects.get()
    assert product.upc == str(page.translation_key)
    assert product.title == "Löten mit dem Mikrobrenner"
    assert product.stockrecords.get().price == Decimal("9.00")
    assert product_for_page(translation) == product


def test_unpublishing_or_deleting_a_translation_leaves_the_product_on_sale(
    library, english, django_capture_on_commit_callbacks
):
    page = publish(draft_catalog_page(library))
    with django_capture_on_commit_callbacks(execute=True):
        translation = object_translate(obj=page, locale=english, strings={})

    translation.unpublish()
    translation.delete()

    assert is_available_to_buy(product_for_page(page))


def test_a_free_page_is_never_for_sale(library):
    page = publish(draft_catalog_page(library, price=None))

    assert Product.objects.count() == 0
    assert product_for_page(page) is None


def test_making_a_page_free_takes_its_product_off_sale(library):
    page = publish(draft_catalog_page(library, price="9.00"))
    product = product_for_page(page)

    publish(page, price=None)

    assert Product.objects.get() == product
    assert not is_available_to_buy(product)
    assert add_to_basket(Client(), product).status_code == 409
