"""Invoices and credit notes: gap-free numbers per year, one document per order and per refund,
what the PDF says (in the buyer's language), and who may download it."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage, storages
from django.db import connections, transaction
from django.test import Client
from freezegun import freeze_time
from oscar.apps.address.models import Country
from oscar.apps.basket.models import Basket
from oscar.apps.offer.applicator import Applicator
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.order.models import BillingAddress, Order
from oscar.core.loading import get_class
from pypdf import PdfReader

from core.errors import ApiError
from shop.checkout.ordering import order_place
from shop.documents.invoices import credit_note_issue, invoice_issue
from shop.models import Invoice, InvoiceSequence
from shop.statuses import OrderStatus
from tests.shop.conftest import basket_for

Selector = get_class("partner.strategy", "Selector")

pytestmark = pytest.mark.django_db


def mark_paid(order: Order) -> Order:
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    order.refresh_from_db()
    return order


def pdf_text(document: Invoice) -> str:
    with document.pdf.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def paid_order(shop_catalog, place_order):
    """A paid order of ``user`` for the given catalogue pages."""

    def make(user, *pages) -> Order:
        return mark_paid(place_order(user, *(shop_catalog.product(page) for page in pages)))

    return make


@pytest.fixture
def seller(settings):
    settings.SHOP_SELLER_NAME = "Goldschmiede Phialo GmbH"
    settings.SHOP_SELLER_ADDRESS = "Goldschmiedgasse 5\\n80331 München"  # as the environment gives it
    settings.SHOP_SELLER_VAT_ID = "DE123456789"
    settings.SHOP_SELLER_EMAIL = "rechnung@phialo.example"


# Numbers ---------------------------------------------------------------------------------------


@freeze_time("2026-03-14 10:00:00")
def test_paid_orders_get_consecutive_numbers_of_the_year(shop_catalog, customer, make_user, paid_order):
    first = invoice_issue(order=paid_order(customer, shop_catalog.videos[0]))
    second = invoice_issue(order=paid_order(make_user("zweite@example.com"), shop_catalog.videos[1]))

    assert (first.number, second.number) == ("RE-2026-000001", "RE-2026-000002")
    assert (first.year, first.sequence, second.sequence) == (2026, 1, 2)


@freeze_time("2026-03-14 10:00:00")
def test_issuing_twice_gives_the_same_invoice(shop_catalog, customer, paid_order):
    order = paid_order(customer, shop_catalog.videos[0])

    first = invoice_issue(order=order)
    again = invoice_issue(order=order)

    assert again.pk == first.pk
    assert again.number == "RE-2026-000001"
    assert again.pdf.name == first.pdf.name
    assert Invoice.objects.filter(order=order).count() == 1
    assert InvoiceSequence.objects.get(kind="invoice", year=2026).last == 1


@freeze_time("2026-03-14 10:00:00")
def test_an_unpaid_order_gets_no_invoice_and_uses_no_number(shop_catalog, customer, place_order, paid_order):
    pending = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))

    with pytest.raises(ApiError) as refused:
        invoice_issue(order=pending)

    assert refused.value.code == "order_not_paid"
    assert not Invoice.objects.exists()
    assert invoice_issue(order=paid_order(customer, shop_catalog.videos[1])).number == "RE-2026-000001"


@freeze_time("2026-03-14 10:00:00")
def test_a_rolled_back_issue_gives_its_number_back(shop_catalog, customer, make_user, paid_order):
    order = paid_order(customer, shop_catalog.videos[0])

    with pytest.raises(RuntimeError), transaction.atomic():
        assert invoice_issue(order=order).number == "RE-2026-000001"
        raise RuntimeError("the payment handler failed after the invoice was issued")

    assert not Invoice.objects.exists()
    other = paid_order(make_user("zweite@example.com"), shop_catalog.videos[1])
    assert invoice_issue(order=other).number == "RE-2026-000001"
    assert invoice_issue(order=order).number == "RE-2026-000002"


def test_numbers_start_again_in_the_new_year_of_the_sellers_time_zone(
    shop_catalog, customer, make_user, paid_order
):
    with freeze_time("2026-12-31 22:59:00"):  # 23:59 in Berlin
        old_year = invoice_issue(order=paid_order(customer, shop_catalog.videos[0]))
    with freeze_time("2026-12-31 23:00:30"):  # 00:00:30 on New Year's Day in Berlin
        new_year = invoice_issue(order=paid_order(make_user("neu@example.com"), shop_catalog.videos[1]))
        next_one = invoice_issue(order=paid_order(make_user("dritte@example.com"), shop_catalog.videos[2]))

    assert old_year.number == "RE-2026-000001"
    assert old_year.content["issued_on"] == "2026-12-31"
    assert (new_year.number, next_one.number) == ("RE-2027-000001", "RE-2027-000002")
    assert new_year.content["issued_on"] == "2027-01-01"


@pytest.mark.django_db(transaction=True)
@freeze_time("2026-05-04 09:00:00")
def test_concurrent_payments_get_gap_free_unique_numbers(shop_catalog, make_user, paid_order):
    orders = [paid_order(make_user(f"kunde{n}@example.com"), shop_catalog.videos[n % 3]) for n in range(8)]
    # Every order is issued twice at the same moment (a task delivered twice).
    jobs = [order for order in orders for _ in range(2)]
    start = threading.Barrier(len(jobs))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue(order: Order) -> None:
        try:
            start.wait()
            numbers.append(invoice_issue(order=order).number)
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(order,)) for order in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = {f"RE-2026-{n:06d}" for n in range(1, 9)}
    assert set(numbers) == expected  # 1..8: no gap, no number given twice
    assert set(Invoice.objects.values_list("number", flat=True)) == expected
    assert Invoice.objects.values("order").distinct().count() == 8
    assert InvoiceSequence.objects.get(kind="invoice", year=2026).last == 8


# What the invoice says -------------------------------------------------------------------------


def voucher_ten_percent_off_everything() -> None:
    everything = Range.objects.create(name="Alles", includes_all_products=True)
    ConditionalOffer.objects.create(
        name="Frühjahr",
        offer_type=ConditionalOffer.SITE,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )


@freeze_time("2026-03-14 10:00:00")
def test_the_invoice_shows_seller_buyer_number_dates_and_amounts_that_add_up(shop_catalog, make_user, seller):
    buyer = make_user("ayse@example.com", first_name="Ayşe", last_name="Yılmaz")
    voucher_ten_percent_off_everything()
    basket = basket_for(
        buyer, shop_catalog.product(shop_catalog.course), shop_catalog.product(shop_catalog.videos[2])
    )
    Applicator().apply(basket, buyer)
    order = mark_paid(order_place(basket=basket, user=buyer, email=buyer.email))

    invoice = invoice_issue(order=order)

    # 29.00 - 2.90 = 26.10 (net 21.93, VAT 4.17); 19.99 - 2.00 = 17.99 (net 15.12, VAT 2.87)
    assert (invoice.gross, invoice.net, invoice.vat) == (Decimal("44.09"), Decimal("37.05"), Decimal("7.04"))
    assert invoice.net + invoice.vat == invoice.gross == order.total_incl_tax
    lines = invoice.content["lines"]
    assert [
        (line["title"], line["price"], line["discount"], line["net"], line["vat"], line["gross"])
        for line in lines
    ] == [
        ("Grundkurs Goldschmieden", "29.00", "2.90", "21.93", "4.17", "26.10"),
        ("Polieren auf Hochglanz", "19.99", "2.00", "15.12", "2.87", "17.99"),
    ]
    assert invoice.content["seller"]["address"] == ["Goldschmiedgasse 5", "80331 München"]

    text = pdf_text(invoice)
    for printed in (
        "Goldschmiede Phialo GmbH",
        "Goldschmiedgasse 5",
        "80331 München",
        "USt-IdNr. DE123456789",
        "Ayşe Yılmaz",
        "ayse@example.com",
        "Rechnung",
        "RE-2026-000001",
        "Datum 14.03.2026",
        "Leistungsdatum 14.03.2026",
        f"Bestellnummer {order.number}",
        "Grundkurs Goldschmieden 29,00 € 2,90 € 21,93 € 4,17 € 26,10 €",
        "Summe netto 37,05 €",
        "Umsatzsteuer 19 % 7,04 €",
        "Gesamtbetrag 44,09 €",
        "Im Gesamtbetrag von 44,09 € sind 7,04 € Umsatzsteuer (19 %) enthalten.",
    ):
        assert printed in text


@freeze_time("2026-03-14 10:00:00")
def test_an_english_buyer_gets_the_invoice_in_english_with_english_titles(
    shop_catalog, make_user, paid_order
):
    buyer = make_user("ada@example.com", locale="en", first_name="Ada", last_name="Lovelace")

    invoice = invoice_issue(order=paid_order(buyer, shop_catalog.videos[0], shop_catalog.videos[2]))

    text = pdf_text(invoice)
    assert invoice.content["language"] == "en"
    assert "Invoice" in text
    assert "Billed to" in text
    assert "Date 14 March 2026" in text
    assert "Soldering with a micro torch" in text  # the English page's title
    assert "Polieren auf Hochglanz" in text  # no English page: the German title
    assert "Total €28.99" in text
    assert "Rechnung" not in text


@freeze_time("2026-03-14 10:00:00")
def test_a_guest_gets_the_invoice_in_german_with_their_billing_address(shop_catalog):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(shop_catalog.product(shop_catalog.videos[1]))
    order = mark_paid(order_place(basket=basket, user=None, email="gast@example.com"))
    germany = Country.objects.create(iso_3166_1_a2="DE", name="Germany", printable_name="Deutschland")
    order.billing_address = BillingAddress.objects.create(
        first_name="Greta",
        last_name="Gast",
        line1="Am Markt 3",
        postcode="04109",
        line4="Leipzig",
        country=germany,
    )
    order.save()

    invoice = invoice_issue(order=order)

    assert invoice.content["language"] == "de"
    assert invoice.content["buyer"] == {
        "name": "Greta Gast",
        "email": "gast@example.com",
        "address": ["Am Markt 3", "04109 Leipzig", "Deutschland"],
    }
    text = pdf_text(invoice)
    assert "Rechnungsempfänger\nGreta Gast\nAm Markt 3" in text
    assert "gast@example.com" in text


# Credit notes ----------------------------------------------------------------------------------


@freeze_time("2026-03-14 10:00:00")
def test_a_full_refund_gets_a_credit_note_with_negative_amounts_naming_the_invoice(
    shop_catalog, customer, paid_order
):
    order = paid_order(customer, shop_catalog.videos[0], shop_catalog.videos[2])
    invoice = invoice_issue(order=order)
    line_ids = list(order.lines.values_list("pk", flat=True))

    with freeze_time("2026-04-02 08:00:00"):
        credit_note = credit_note_issue(
            order=order, line_ids=line_ids, amount=Decimal("28.99"), refund_key="re_1"
        )

    assert credit_note.number == "GS-2026-000001"
    assert credit_note.kind == Invoice.Kind.CREDIT_NOTE
    assert (credit_note.gross, credit_note.net, credit_note.vat) == (
        -invoice.gross,
        -invoice.net,
        -invoice.vat,
    )
    assert credit_note.content["corrects"] == {"number": "RE-2026-000001", "issued_on": "2026-03-14"}
    text = pdf_text(credit_note)
    for printed in (
        "Rechnungskorrektur",
        "GS-2026-000001",
        "Datum 02.04.2026",
        "Korrektur der Rechnung RE-2026-000001",
        "Löten mit dem Mikrobrenner",
        "Erstattungsbetrag -28,99 €",
        "mindert die Rechnung RE-2026-000001 vom 14.03.2026 um 28,99 €",
    ):
        assert printed in text


@freeze_time("2026-03-14 10:00:00")
def test_one_credit_note_per_refund_in_its_own_series(shop_catalog, customer, paid_order):
    order = paid_order(customer, shop_catalog.videos[0], shop_catalog.videos[2])
    video_line = order.lines.order_by("pk").first()

    first = credit_note_issue(
        order=order, line_ids=[video_line.pk], amount=Decimal("9.00"), refund_key="re_1"
    )
    repeated = credit_note_issue(
        order=order, line_ids=[video_line.pk], amount=Decimal("9.00"), refund_key="re_1"
    )
    goodwill = credit_note_issue(order=order, line_ids=[], amount=Decimal("5.00"), refund_key="re_2")

    assert repeated.pk == first.pk
    assert Invoice.objects.get(order=order, kind="invoice").number == "RE-2026-000001"  # issued first
    assert (first.number, goodwill.number) == ("GS-2026-000001", "GS-2026-000002")
    assert [(line["title"], line["net"], line["vat"], line["gross"]) for line in first.content["lines"]] == [
        ("Löten mit dem Mikrobrenner", "-7.56", "-1.44", "-9.00")
    ]
    assert [
        (line["title"], line["net"], line["vat"], line["gross"]) for line in goodwill.content["lines"]
    ] == [("Teilerstattung", "-4.20", "-0.80", "-5.00")]
    assert Invoice.objects.filter(kind="credit_note").count() == 2


# Downloads -------------------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@freeze_time("2026-03-14 10:00:00")
def test_the_buyer_downloads_the_invoice_pdf(shop_catalog, customer, paid_order):
    order = paid_order(customer, shop_catalog.videos[0])
    invoice_issue(order=order)

    response = logged_in(customer).get(f"/api/v1/me/orders/{order.number}/invoice.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="RE-2026-000001.pdf"'
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert "RE-2026-000001" in PdfReader(io.BytesIO(body)).pages[0].extract_text()


@freeze_time("2026-03-14 10:00:00")
def test_the_buyer_downloads_a_credit_note_pdf(shop_catalog, customer, paid_order):
    order = paid_order(customer, shop_catalog.videos[0])
    credit_note_issue(order=order, line_ids=[], amount=Decimal("9.00"), refund_key="re_1")
    client = logged_in(customer)

    response = client.get(f"/api/v1/me/orders/{order.number}/credit-notes/GS-2026-000001.pdf")
    unknown = client.get(f"/api/v1/me/orders/{order.number}/credit-notes/GS-2026-000002.pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="GS-2026-000001.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


@freeze_time("2026-03-14 10:00:00")
def test_only_the_buyer_may_download_and_only_once_issued(
    shop_catalog, customer, make_user, place_order, paid_order
):
    order = paid_order(customer, shop_catalog.videos[0])
    invoice_issue(order=order)
    unpaid = place_order(customer, shop_catalog.product(shop_catalog.videos[1]))
    paid_not_issued = paid_order(customer, shop_catalog.videos[2])
    url = f"/api/v1/me/orders/{order.number}/invoice.pdf"

    anonymous = Client(raise_request_exception=False).get(url)
    someone_else = logged_in(make_user("fremd@example.com")).get(url)
    owner = logged_in(customer)
    unknown = owner.get("/api/v1/me/orders/999999/invoice.pdf")
    not_paid = owner.get(f"/api/v1/me/orders/{unpaid.number}/invoice.pdf", HTTP_ACCEPT="application/pdf")
    not_issued = owner.get(f"/api/v1/me/orders/{paid_not_issued.number}/invoice.pdf")

    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert (someone_else.status_code, someone_else.json()["error"]["code"]) == (404, "not_found")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    for response in (not_paid, not_issued):
        assert (response.status_code, response.json()["error"]["code"]) == (404, "invoice_not_ready")
        assert "no-store" in response["Cache-Control"]


# Private storage -------------------------------------------------------------------------------


@freeze_time("2026-03-14 10:00:00")
@pytest.mark.urls("tests.public_media_urls")
def test_the_invoice_pdf_is_not_at_a_public_url(shop_catalog, customer, paid_order):
    """``tests.public_media_urls`` serves the default storage at MEDIA_URL, as the public bucket does."""
    invoice = invoice_issue(order=paid_order(customer, shop_catalog.videos[0]))

    response = Client(raise_request_exception=False).get(f"{django_settings.MEDIA_URL}{invoice.pdf.name}")

    assert invoice.pdf.name.startswith("invoices/2026/")
    assert response.status_code == 404
    assert storages["private"].exists(invoice.pdf.name)
    assert not default_storage.exists(invoice.pdf.name)
    with pytest.raises(NotImplementedError):
        invoice.pdf.url  # noqa: B018 - the property raises: a private file has no URL


@freeze_time("2026-03-14 10:00:00")
def test_staff_download_an_invoice_pdf_from_the_admin_and_shoppers_cannot(
    shop_catalog, customer, paid_order, staff_client
):
    invoice = invoice_issue(order=paid_order(customer, shop_catalog.videos[0]))
    url = f"/django-admin/shop/invoice/{invoice.pk}/pdf/"

    page = staff_client.get(f"/django-admin/shop/invoice/{invoice.pk}/change/")
    response = staff_client.get(url)
    shopper = logged_in(customer).get(url)

    assert page.status_code == 200
    assert url in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="RE-2026-000001.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert shopper.status_code == 302 and "login" in shopper["Location"]
