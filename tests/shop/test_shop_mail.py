"""The shop's e-mails: the order confirmation with its invoice, the refund notice with its credit
note, staff told of a dispute. Sent after the commit, in the buyer's language, exactly once."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connections, transaction
from freezegun import freeze_time
from oscar.apps.order.models import Order
from pypdf import PdfReader

from shop import signals
from shop.documents.tasks import order_invoice_send, refund_credit_note_send
from shop.models import Invoice
from shop.statuses import OrderStatus

pytestmark = pytest.mark.django_db


def pay(order: Order) -> Order:
    """What the payment path does: mark the order paid and say so, inside one transaction."""
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
        order.refresh_from_db()
        signals.order_paid.send(sender=Order, order=order)
    return order


@pytest.fixture
def paid_order(shop_catalog, place_order, django_capture_on_commit_callbacks):
    """Place an order for ``pages`` and pay it, running what is queued after the commit."""

    def make(user, *pages) -> Order:
        order = place_order(user, *(shop_catalog.product(page) for page in pages))
        with django_capture_on_commit_callbacks(execute=True):
            return pay(order)

    return make


def attached_pdf_text(message) -> tuple[str, str]:
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    return filename, PdfReader(io.BytesIO(content)).pages[0].extract_text()


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@freeze_time("2026-03-14 10:00:00")
def test_a_paid_order_mails_one_confirmation_with_the_invoice_attached(shop_catalog, make_user, paid_order):
    buyer = make_user("kundin@example.com", first_name="Clara")

    order = paid_order(buyer, shop_catalog.course, shop_catalog.videos[2])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kundin@example.com"]
    assert message.subject == f"Deine Bestellung {order.number} bei Phialo – Rechnung RE-2026-000001"
    assert "Hallo Clara," in message.body
    assert "Grundkurs Goldschmieden: 29,00 €" in message.body
    assert "Gesamtbetrag: 48,99 € (darin 7,82 € Umsatzsteuer, 19 %)" in message.body
    assert "http://localhost:4321/account/library" in message.body
    assert "Gesamtbetrag" in html_of(message)
    filename, text = attached_pdf_text(message)
    assert filename == "RE-2026-000001.pdf"
    assert "RE-2026-000001" in text and "Gesamtbetrag 48,99 €" in text
    invoice = Invoice.objects.get(order=order)
    assert invoice.emailed_at is not None


@freeze_time("2026-03-14 10:00:00")
def test_an_english_buyer_gets_the_confirmation_and_invoice_in_english(shop_catalog, make_user, paid_order):
    buyer = make_user("ada@example.com", locale="en")

    order = paid_order(buyer, shop_catalog.videos[0])

    [message] = mail.outbox
    assert message.subject == f"Your Phialo order {order.number} – invoice RE-2026-000001"
    assert "Soldering with a micro torch: €9.00" in message.body
    assert "Total: €9.00 (including €1.44 VAT, 19 %)" in message.body
    assert "Go to your library" in html_of(message)
    _, text = attached_pdf_text(message)
    assert "Invoice" in text and "Rechnung" not in text


@freeze_time("2026-03-14 10:00:00")
def test_the_confirmation_is_mailed_once_when_the_task_runs_again(shop_catalog, customer, paid_order):
    order = paid_order(customer, shop_catalog.videos[0])

    order_invoice_send.delay(order.pk)  # a redelivered task
    order_invoice_send.apply(args=[order.pk])

    assert len(mail.outbox) == 1
    assert Invoice.objects.filter(order=order).count() == 1


@pytest.mark.django_db(transaction=True)
@freeze_time("2026-03-14 10:00:00")
def test_the_confirmation_is_mailed_once_when_two_workers_run_the_task_at_once(
    shop_catalog, customer, place_order
):
    order = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            order_invoice_send.apply(args=[order.pk], throw=True)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(mail.outbox) == 1
    assert list(Invoice.objects.values_list("number", flat=True)) == ["RE-2026-000001"]


@freeze_time("2026-03-14 10:00:00")
def test_nothing_is_issued_or_mailed_when_the_payment_rolls_back(
    shop_catalog, customer, place_order, django_capture_on_commit_callbacks
):
    order = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        pay(order)
        raise RuntimeError("the payment handler failed after saying the order was paid")

    assert mail.outbox == []
    assert not Invoice.objects.exists()


class MailServerDownOnce(locmem.EmailBackend):
    """The mail server refuses the first connection, then works."""

    refusals = 0

    def send_messages(self, messages):
        if MailServerDownOnce.refusals:
            MailServerDownOnce.refusals -= 1
            raise ConnectionRefusedError("mail server not reachable")
        return super().send_messages(messages)


@freeze_time("2026-03-14 10:00:00")
def test_a_mail_the_server_refused_is_sent_by_the_retry_once(
    shop_catalog, customer, place_order, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.shop.test_shop_mail.MailServerDownOnce"
    MailServerDownOnce.refusals = 1
    order = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))

    # Eager tasks in tests raise instead of scheduling the retry (a worker schedules it).
    with pytest.raises((OSError, Retry)), django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert mail.outbox == []
    assert Invoice.objects.get(order=order).emailed_at is None

    order_invoice_send.apply(args=[order.pk], throw=True)  # the retry
    order_invoice_send.apply(args=[order.pk], throw=True)

    assert len(mail.outbox) == 1
    assert Invoice.objects.get(order=order).emailed_at is not None


@freeze_time("2026-03-14 10:00:00")
def test_a_refund_mails_a_notice_with_the_credit_note_once(
    shop_catalog, customer, paid_order, django_capture_on_commit_callbacks
):
    order = paid_order(customer, shop_catalog.videos[0], shop_catalog.videos[2])
    refunded_line = order.lines.get(upc=shop_catalog.product(shop_catalog.videos[2]).upc)

    for _delivery in range(2):  # the refund reported twice
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            signals.order_refunded.send(
                sender=Order,
                order=order,
                line_ids=[refunded_line.pk],
                amount=Decimal("19.99"),
                refund_key="re_1",
            )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # Access ended later for money already credited: no new document, no new mail.
        signals.order_refunded.send(
            sender=Order, order=order, line_ids=[refunded_line.pk], amount=Decimal("0.00"), refund_key="re_2"
        )

    assert len(mail.outbox) == 2  # the confirmation, then the refund notice
    notice = mail.outbox[1]
    assert notice.to == [customer.email]
    assert (
        notice.subject
        == f"Erstattung zu deiner Bestellung {order.number} – Rechnungskorrektur GS-2026-000001"
    )
    assert "wir haben dir 19,99 € zu deiner Bestellung" in notice.body
    assert "Polieren auf Hochglanz" in notice.body
    assert "zur Rechnung RE-2026-000001" in notice.body
    filename, text = attached_pdf_text(notice)
    assert filename == "GS-2026-000001.pdf"
    assert "Rechnungskorrektur" in text and "Erstattungsbetrag -19,99 €" in text
    assert Invoice.objects.filter(order=order, kind="credit_note").count() == 1


@freeze_time("2026-03-14 10:00:00")
def test_a_dispute_tells_staff_the_order_amount_and_status(
    shop_catalog, customer, paid_order, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_STAFF_EMAILS = ["shop@phialo.example", "inhaberin@phialo.example"]
    order = paid_order(customer, shop_catalog.course)
    mail.outbox.clear()

    for status in ("needs_response", "needs_response", "won"):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            signals.order_disputed.send(sender=Order, order=order, status=status)

    assert len(mail.outbox) == 2  # the repeated status is told once
    first, decided = mail.outbox
    assert first.to == ["shop@phialo.example", "inhaberin@phialo.example"]
    assert first.subject == f"Zahlung angefochten: Bestellung {order.number} (29,00 €, needs_response)"
    assert "Betrag: 29,00 €" in first.body
    assert "Status bei Stripe: needs_response" in first.body
    assert customer.email in first.body
    assert f"/dashboard/orders/{order.number}/" in first.body
    assert "Status bei Stripe: won" in decided.body


@freeze_time("2026-03-14 10:00:00")
def test_a_refund_reported_before_the_payment_is_recorded_is_tried_again(
    shop_catalog, customer, place_order, django_capture_on_commit_callbacks
):
    order = place_order(customer, shop_catalog.product(shop_catalog.videos[0]))

    # Eager tasks in tests raise the retry a worker would schedule.
    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        signals.order_refunded.send(
            sender=Order, order=order, line_ids=[], amount=Decimal("9.00"), refund_key="re_early"
        )
    assert not Invoice.objects.exists()

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.REFUNDED)
    refund_credit_note_send.apply(args=[order.pk, [], "9.00", "re_early"], throw=True)  # the retry

    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["GS-2026-000001", "RE-2026-000001"]
    [notice] = mail.outbox
    assert notice.subject.endswith("Rechnungskorrektur GS-2026-000001")
