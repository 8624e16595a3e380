"""Discount codes: what they take off (gross, with the VAT of the discounted line right), what
they apply to, how often they may be used, and every refusal explained at
``POST /api/shop/basket/add-voucher/``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import ProductClass
from oscar.apps.offer.applicator import Applicator
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.order.models import Order
from oscar.apps.voucher.models import Voucher
from oscar.core.loading import get_class

from core.errors import ApiError
from shop.checkout.ordering import basket_give_back, order_place
from shop.checkout.vouchers import voucher_uses_release, voucher_uses_restore
from shop.statuses import OrderStatus
from shop.vat import gross_split
from tests.shop.conftest import basket_for

pytestmark = pytest.mark.django_db

Selector = get_class("partner.strategy", "Selector")
ADD_VOUCHER = "/api/shop/basket/add-voucher/"


# -- helpers (the other voucher and offer tests use them too) ---------------------------------


def make_range(name: str, *, everything: bool = False, product_classes=(), products=()) -> Range:
    product_range = Range.objects.create(name=name, includes_all_products=everything)
    for slug in product_classes:
        product_range.classes.add(ProductClass.objects.get(slug=slug))
    for product in products:
        product_range.add_product(product)
    return product_range


def make_voucher(
    code: str,
    *,
    percent: str | None = None,
    amount: str | None = None,
    product_range: Range | None = None,
    usage: str = Voucher.MULTI_USE,
    uses: int | None = None,
    starts: datetime | None = None,
    ends: datetime | None = None,
    condition: Condition | None = None,
) -> Voucher:
    """A code as staff make it in the dashboard: a voucher offer (at least one item of the range,
    once per basket; ``uses`` in total) and the voucher with its dates and usage."""
    product_range = product_range or make_range(f"Alles {code}", everything=True)
    condition = condition or Condition.objects.create(range=product_range, type=Condition.COUNT, value=1)
    benefit = Benefit.objects.create(
        range=product_range,
        type=Benefit.PERCENTAGE if percent else Benefit.FIXED,
        value=Decimal(percent or amount),
    )
    offer = ConditionalOffer.objects.create(
        name=f"Offer {code}",
        offer_type=ConditionalOffer.VOUCHER,
        condition=condition,
        benefit=benefit,
        max_basket_applications=1,
        max_global_applications=uses,
    )
    now = timezone.now()
    voucher = Voucher.objects.create(
        name=f"Code {code}",
        code=code,
        usage=usage,
        start_datetime=starts or now - timedelta(days=1),
        end_datetime=ends or now + timedelta(days=30),
    )
    voucher.offers.add(offer)
    return voucher


def priced_basket(basket: Basket, user) -> Basket:
    """The basket as the checkout sees it: the shop's prices, offers and codes applied."""
    basket.strategy = Selector().strategy(user=user)
    basket.reset_offer_applications()
    Applicator().apply(basket, user)
    return basket


def checkout(user, *products, code: str | None = None) -> Order:
    """What a shopper does: fill the basket, enter a code, check out (an order waiting for payment)."""
    basket = basket_for(user, *products)
    if code:
        basket.vouchers.add(Voucher.objects.get(code=code))
    priced_basket(basket, user)
    return order_place(basket=basket, user=user, email=user.email)


def add_voucher(client, code: str):
    return client.post(ADD_VOUCHER, {"vouchercode": code}, content_type="application/json")


def error_of(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def shopper_client(client, customer):
    client.force_login(customer)
    return client


# -- amounts ----------------------------------------------------------------------------------


def test_a_percentage_code_takes_its_share_of_the_gross_price_and_the_vat_follows(
    shop_catalog, customer, shopper_client
):
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[2])
    voucher = make_voucher("ZEHN", percent="10")
    basket_for(customer, course, video)

    response = add_voucher(shopper_client, "zehn")  # any case

    assert response.status_code == 200
    assert response.json() == {
        "name": "Code ZEHN",
        "code": "ZEHN",
        "start_datetime": response.json()["start_datetime"],
        "end_datetime": response.json()["end_datetime"],
    }
    assert Basket.open.get(owner=customer).vouchers.get() == voucher
    basket = shopper_client.get("/api/shop/basket/").json()
    assert basket["total_incl_tax"] == "44.09"  # 29.00 - 2.90 + 19.99 - 2.00

    order = order_place(
        basket=priced_basket(Basket.open.get(owner=customer), customer), user=customer, email=customer.email
    )

    lines = {line.upc: line for line in order.lines.all()}
    assert (lines[course.upc].line_price_incl_tax, lines[course.upc].line_price_excl_tax) == (
        Decimal("26.10"),
        Decimal("21.93"),  # 26.10 / 1.19; VAT 4.17
    )
    assert (lines[video.upc].line_price_incl_tax, lines[video.upc].line_price_excl_tax) == (
        Decimal("17.99"),
        Decimal("15.12"),
    )
    for line in lines.values():
        assert (
            line.line_price_incl_tax - line.line_price_excl_tax == gross_split(line.line_price_incl_tax).vat
        )
    assert order.total_incl_tax == Decimal("44.09")
    assert order.discounts.get().amount == Decimal("4.90")
    assert order.discounts.get().voucher_code == "ZEHN"


def test_a_fixed_code_for_courses_only_leaves_other_items_at_full_price(
    shop_catalog, customer, shopper_client
):
    course, video = shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[0])
    make_voucher("KURS5", amount="5.00", product_range=make_range("Kurse", product_classes=["course"]))
    basket_for(customer, course, video)

    assert add_voucher(shopper_client, "KURS5").status_code == 200
    order = order_place(
        basket=priced_basket(Basket.open.get(owner=customer), customer), user=customer, email=customer.email
    )

    lines = {line.upc: line for line in order.lines.all()}
    assert (lines[course.upc].line_price_incl_tax, lines[course.upc].line_price_excl_tax) == (
        Decimal("24.00"),
        Decimal("20.17"),  # VAT 3.83 on what is paid
    )
    assert lines[course.upc].line_price_before_discounts_incl_tax == Decimal("29.00")
    assert (lines[video.upc].line_price_incl_tax, lines[video.upc].line_price_excl_tax) == (
        Decimal("9.00"),
        Decimal("7.56"),
    )
    assert order.total_incl_tax == Decimal("33.00")


def test_a_code_for_one_video_applies_to_that_video_only(shop_catalog, customer, shopper_client):
    wanted, other = shop_catalog.product(shop_catalog.videos[1]), shop_catalog.product(shop_catalog.videos[0])
    make_voucher("FASSEN", percent="50", product_range=make_range("Fassen von Steinen", products=[wanted]))
    basket = basket_for(customer, other)

    refused = add_voucher(shopper_client, "FASSEN")

    assert refused.status_code == 422
    assert error_of(refused)["code"] == "voucher_not_applicable"
    assert "Fassen von Steinen only" in error_of(refused)["message"]
    assert error_of(refused)["applies_to"] == {
        "name": "Fassen von Steinen",
        "everything": False,
        "product_classes": [],
        "items": [{"id": wanted.upc, "title": wanted.title}],
    }
    assert not basket.vouchers.exists()

    basket_for(customer, wanted)
    assert add_voucher(shopper_client, "FASSEN").status_code == 200
    assert shopper_client.get("/api/shop/basket/").json()["total_incl_tax"] == "15.00"  # 9.00 + 12.00 / 2


# -- usage limits -----------------------------------------------------------------------------


def test_a_once_per_customer_code_serves_each_customer_for_one_order(
    shop_catalog, make_user, customer, client
):
    video, course = shop_catalog.product(shop_catalog.videos[0]), shop_catalog.product(shop_catalog.course)
    make_voucher("EINMAL", percent="10", usage=Voucher.ONCE_PER_CUSTOMER)
    first = checkout(customer, video, code="EINMAL")
    assert first.total_incl_tax == Decimal("8.10")

    client.force_login(customer)
    basket_for(customer, course)
    again = add_voucher(client, "EINMAL")
    assert again.status_code == 409
    assert error_of(again) == {
        "code": "voucher_used",
        "message": 'You have already used the code "EINMAL".',
        "fields": {},
    }

    other = make_user("zweite@example.com")
    client.force_login(other)
    basket_for(other, course)
    assert add_voucher(client, "EINMAL").status_code == 200


def test_a_single_use_code_is_gone_after_one_order(shop_catalog, make_user, customer, client):
    make_voucher("UNIKAT", percent="20", usage=Voucher.SINGLE_USE)
    checkout(customer, shop_catalog.product(shop_catalog.videos[0]), code="UNIKAT")

    other = make_user("spaet@example.com")
    client.force_login(other)
    basket_for(other, shop_catalog.product(shop_catalog.videos[1]))
    response = add_voucher(client, "UNIKAT")

    assert response.status_code == 409
    assert error_of(response)["code"] == "voucher_used"
    assert error_of(response)["message"] == 'The code "UNIKAT" has already been used.'


def test_a_code_for_n_uses_serves_n_orders_then_says_so(shop_catalog, make_user, client):
    make_voucher("DREI", percent="10", uses=3)
    video = shop_catalog.product(shop_catalog.videos[0])
    for number in range(3):
        order = checkout(make_user(f"kunde{number}@example.com"), video, code="DREI")
        assert order.total_incl_tax == Decimal("8.10")

    fourth = make_user("vierte@example.com")
    client.force_login(fourth)
    basket_for(fourth, video)
    response = add_voucher(client, "DREI")

    assert response.status_code == 409
    assert error_of(response)["code"] == "voucher_used"
    assert "used as often as it may be (3 times)" in error_of(response)["message"]
    assert ConditionalOffer.objects.get(name="Offer DREI").num_applications == 3


def test_a_code_is_not_used_up_by_an_order_that_is_never_paid(shop_catalog, make_user, customer, client):
    make_voucher("UNIKAT", percent="20", usage=Voucher.SINGLE_USE)
    order = checkout(customer, shop_catalog.product(shop_catalog.videos[0]), code="UNIKAT")
    order.set_status(OrderStatus.CANCELLED)

    assert voucher_uses_release(order=order) == 1
    assert voucher_uses_release(order=order) == 0  # a repeated cancellation changes nothing
    assert basket_give_back(order=order).vouchers.get().code == "UNIKAT"

    # Given back, the code serves the shopper's next checkout...
    again = checkout(customer, code="UNIKAT")
    assert again.total_incl_tax == Decimal("7.20")
    assert Voucher.objects.get(code="UNIKAT").applications.count() == 1


def test_a_late_payment_of_a_cancelled_order_takes_its_code_again(shop_catalog, customer):
    make_voucher("DREI", percent="10", uses=3)
    order = checkout(customer, shop_catalog.product(shop_catalog.videos[0]), code="DREI")
    offer = ConditionalOffer.objects.get(name="Offer DREI")
    order.set_status(OrderStatus.CANCELLED)
    voucher_uses_release(order=order)
    offer.refresh_from_db()
    assert offer.num_applications == 0

    order.set_status(OrderStatus.PAID)
    assert voucher_uses_restore(order=order) == 1
    assert voucher_uses_restore(order=order) == 0

    offer.refresh_from_db()
    assert (offer.num_applications, offer.num_orders, offer.total_discount) == (1, 1, Decimal("0.90"))
    assert Voucher.objects.get(code="DREI").applications.get().order == order


# -- refusals ---------------------------------------------------------------------------------


def test_an_unknown_code_is_a_404(shopper_client):
    response = add_voucher(shopper_client, "GIBTSNICHT")
    suffixed = shopper_client.post(  # oscar-api's format suffix reaches our view too
        "/api/shop/basket/add-voucher.json", {"vouchercode": "GIBTSNICHT"}, content_type="application/json"
    )

    assert response.status_code == suffixed.status_code == 404
    assert error_of(suffixed)["code"] == "voucher_not_found"
    assert error_of(response) == {
        "code": "voucher_not_found",
        "message": 'There is no code "GIBTSNICHT".',
        "fields": {},
    }


def test_a_request_without_a_code_is_a_400(shopper_client):
    response = shopper_client.post(ADD_VOUCHER, {}, content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert "vouchercode" in error_of(response)["fields"]


@freeze_time("2026-03-01 12:00:00")
def test_a_code_outside_its_dates_says_when_it_is_valid(shop_catalog, customer, shopper_client):
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    make_voucher(
        "FRUEHLING",
        percent="10",
        starts=datetime(2026, 3, 5, 23, 0, tzinfo=UTC),
        ends=datetime(2026, 4, 30, 22, 0, tzinfo=UTC),
    )
    make_voucher(
        "WINTER",
        percent="10",
        starts=datetime(2025, 12, 1, tzinfo=UTC),
        ends=datetime(2026, 2, 28, 23, tzinfo=UTC),
    )

    early = add_voucher(shopper_client, "FRUEHLING")
    late = add_voucher(shopper_client, "WINTER")

    assert early.status_code == 422
    assert error_of(early)["code"] == "voucher_not_started"
    assert error_of(early)["message"] == 'The code "FRUEHLING" is valid from 06.03.2026 00:00.'  # Berlin time
    assert error_of(early)["starts_at"] == "2026-03-05T23:00:00+00:00"
    assert late.status_code == 422
    assert error_of(late)["code"] == "voucher_expired"
    assert error_of(late)["ended_at"] == "2026-02-28T23:00:00+00:00"

    with freeze_time("2026-03-06 08:00:00"):  # within the login session's two weeks
        ok = add_voucher(shopper_client, "FRUEHLING")
        assert ok.status_code == 200, ok.json()


def test_a_once_per_customer_code_asks_an_anonymous_visitor_to_log_in(shop_catalog, client):
    make_voucher("EINMAL", percent="10", usage=Voucher.ONCE_PER_CUSTOMER)

    response = add_voucher(client, "EINMAL")

    assert response.status_code == 401
    assert error_of(response)["code"] == "voucher_login_required"


def test_an_anonymous_visitor_can_use_a_code_for_everyone(shop_catalog, client):
    make_voucher("ALLE", percent="10")
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(shop_catalog.product(shop_catalog.videos[0]))
    session = client.session
    session["oscar_open_basket"] = basket.pk
    session.save()

    response = add_voucher(client, "ALLE")

    assert response.status_code == 200
    assert client.get("/api/shop/basket/").json()["total_incl_tax"] == "8.10"


def test_the_same_code_twice_is_a_409(shop_catalog, customer, shopper_client):
    make_voucher("ZEHN", percent="10")
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    assert add_voucher(shopper_client, "ZEHN").status_code == 200

    response = add_voucher(shopper_client, "zehn")

    assert response.status_code == 409
    assert error_of(response)["code"] == "voucher_already_applied"


def test_a_code_whose_condition_is_not_met_says_what_would_make_it_apply(
    shop_catalog, customer, shopper_client
):
    courses = make_range("Kurse", product_classes=["course"])
    make_voucher("KURS5", amount="5.00", product_range=courses)
    two = Condition.objects.create(range=courses, type=Condition.VALUE, value=Decimal("50.00"))
    make_voucher("GROSS", percent="10", product_range=courses, condition=two)

    empty = add_voucher(shopper_client, "KURS5")
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    no_course = add_voucher(shopper_client, "KURS5")
    basket_for(customer, shop_catalog.product(shop_catalog.course))
    too_little = add_voucher(shopper_client, "GROSS")

    assert [r.status_code for r in (empty, no_course, too_little)] == [422, 422, 422]
    assert {error_of(r)["code"] for r in (empty, no_course, too_little)} == {"voucher_not_applicable"}
    assert "basket is empty" in error_of(empty)["message"]
    assert error_of(no_course)["message"] == (
        'The code "KURS5" applies to Kurse only, and your basket holds none of them.'
    )
    assert error_of(no_course)["applies_to"]["product_classes"] == ["course"]
    assert (
        error_of(too_little)["message"]
        == 'The code "GROSS" needs Kurse worth at least 50.00 EUR in your basket.'
    )
    assert not Basket.open.get(owner=customer).vouchers.exists()


def test_a_second_code_that_would_displace_the_first_is_refused(shop_catalog, customer, shopper_client):
    make_voucher("ZEHN", percent="10")
    make_voucher("ZWANZIG", percent="20")
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    assert add_voucher(shopper_client, "ZEHN").status_code == 200

    response = add_voucher(shopper_client, "ZWANZIG")

    assert response.status_code == 422
    assert error_of(response)["code"] == "voucher_not_applicable"
    assert error_of(response)["message"] == (
        'The code "ZWANZIG" does not combine with "ZEHN" on these items; '
        "remove that code first to use this one instead."
    )
    assert [voucher.code for voucher in Basket.open.get(owner=customer).vouchers.all()] == ["ZEHN"]


def test_a_code_used_up_between_basket_and_checkout_stops_the_checkout(shop_catalog, make_user, customer):
    make_voucher("UNIKAT", percent="20", usage=Voucher.SINGLE_USE)
    video = shop_catalog.product(shop_catalog.videos[0])
    late = make_user("spaet@example.com")
    late_basket = basket_for(late, video)
    late_basket.vouchers.add(Voucher.objects.get(code="UNIKAT"))
    priced_basket(late_basket, late)  # the late shopper still sees 7.20
    checkout(customer, video, code="UNIKAT")

    with pytest.raises(ApiError) as error:
        order_place(basket=late_basket, user=late, email=late.email)

    assert (error.value.code, error.value.status_code) == ("voucher_used", 409)
    assert Basket.objects.get(pk=late_basket.pk).status == Basket.OPEN
    assert not Order.objects.filter(user=late).exists()


def test_a_code_that_gives_nothing_is_not_used_up_by_the_order(shop_catalog, customer):
    make_voucher("KURS5", amount="5.00", product_range=make_range("Kurse", product_classes=["course"]))
    basket = basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))
    basket.vouchers.add(Voucher.objects.get(code="KURS5"))  # e.g. brought along by a basket merge

    order = order_place(basket=priced_basket(basket, customer), user=customer, email=customer.email)

    assert order.total_incl_tax == Decimal("9.00")
    assert not Voucher.objects.get(code="KURS5").applications.exists()


def test_a_code_for_items_that_already_carry_a_stronger_offer_says_so(shop_catalog, customer, shopper_client):
    everything = make_range("Alles", everything=True)
    ConditionalOffer.objects.create(
        name="Sommer",
        offer_type=ConditionalOffer.SITE,
        priority=10,  # staff put the site offer first
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=20),
    )
    make_voucher("ZEHN", percent="10")
    basket_for(customer, shop_catalog.product(shop_catalog.videos[0]))

    response = add_voucher(shopper_client, "ZEHN")

    assert response.status_code == 422
    assert error_of(response)["code"] == "voucher_not_applicable"
    assert error_of(response)["message"] == (
        'The items the code "ZEHN" applies to already have another discount; the two do not combine.'
    )


def test_guessing_codes_is_slowed_down(shopper_client):
    answers = [add_voucher(shopper_client, f"RATE{number}").status_code for number in range(31)]

    assert answers[:30] == [404] * 30
    assert answers[30] == 429
    assert error_of(add_voucher(shopper_client, "RATE99"))["code"] == "rate_limited"
