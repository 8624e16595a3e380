"""What the shop mails, after the fact: the invoice when an order is paid, the credit note when
money goes back, a word to staff when a payment is disputed.

The shop's signals (``shop.signals``) are sent inside the transaction that changed the order; the
receivers here only queue a Celery task for after the commit, so the webhook answers Stripe fast
and nothing is mailed for a change that rolled back. Tasks take ids, retry with backoff when the
mail server or the database is away, and are safe to run twice (a redelivered task, a retry after
a lost acknowledgement): the document is issued once (``shop.documents.invoices``), and ``emailed_at`` is
set under the document's row lock in the transaction that sends, so a second run waits for the
first and then finds the mail sent.

Buyer e-mails are in the buyer's language (the language their document was issued in), text and
HTML like the account e-mails, from ``DEFAULT_FROM_EMAIL``, with the PDF attached.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from oscar.apps.order.models import Order

from core.locale import format_date
from core.money import format_money
from core.tasks import enqueue
from shop import signals
from shop.documents.invoices import invoice_filename
from shop.models import Checkout, Invoice

logger = logging.getLogger(__name__)

# Stripe reports a dispute's status changes a few times over weeks; each is told to staff once.
DISPUTE_MAIL_MEMORY_SECONDS = 90 * 24 * 60 * 60

ORDER_CONFIRMATION = "order_confirmation"
REFUND_NOTICE = "refund_notice"
DISPUTE_STAFF = "dispute_staff"


def library_url() -> str:
    return f"{settings.FRONTEND_URL}/account/library"


def orders_url() -> str:
    return f"{settings.FRONTEND_URL}/account/orders"


def _render(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str | None]:
    """Subject, text and (where written) HTML of ``shop/email/<language>/<template>_*``."""
    prefix = f"shop/email/{language}/{template}"
    context = {**context, "language": language}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_message.txt", context)
        try:
            html = render_to_string(f"{prefix}_message.html", context)
        except TemplateDoesNotExist:
            html = None
    return subject, text, html


def _message(template: str, language: str, context: dict[str, Any], to: list[str]) -> EmailMultiAlternatives:
    subject, text, html = _render(template, language, context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=[settings.SHOP_SELLER_EMAIL] if settings.SHOP_SELLER_EMAIL else None,
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


def _document_context(invoice: Invoice) -> dict[str, Any]:
    """What a buyer's mail says about its document, formatted in the document's language."""
    content = invoice.content
    language = content["language"]
    totals = content["totals"]
    return {
        "number": invoice.number,
        "order_number": content["order_number"],
        "issued_on": format_date(content["issued_on"], language),
        "buyer_name": content["buyer"].get("name") or "",
        "lines": [
            {"title": line["title"], "gross": format_money(line["gross"], language)}
            for line in content["lines"]
        ],
        "gross": format_money(totals["gross"], language),
        "refund": format_money(abs(invoice.gross), language),
        "vat": format_money(totals["vat"], language),
        "vat_rate": content["vat_rate"],
        "corrects": (content.get("corrects") or {}).get("number"),
        "library_url": library_url(),
        "orders_url": orders_url(),
        "seller_name": content["seller"]["name"],
    }


def document_email_send(*, invoice: Invoice, template: str) -> bool:
    """Mail ``invoice`` (an invoice or credit note) to the buyer with its PDF, unless it was mailed
    already; returns whether this call sent it. An order whose buyer has no address (erased
    account) is not mailed."""
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.emailed_at is not None:
            return False
        recipient = Order.objects.select_related("user").get(pk=locked.order_id).email
        if not recipient:
            logger.warning("Not mailing %s: order %s has no e-mail address.", locked.number, locked.order_id)
            return False
        message = _message(template, locked.content["language"], _document_context(locked), [recipient])
        with locked.pdf.open("rb") as pdf:
            message.attach(invoice_filename(locked), pdf.read(), "application/pdf")
        message.send()
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])
    return True


def dispute_staff_email_send(*, order: Order, status: str) -> bool:
    """Tell staff that the payment of ``order`` is disputed (once per order and Stripe status)."""
    recipients = list(settings.SHOP_STAFF_EMAILS)
    key = f"shop:dispute-mail:{order.pk}:{status}"
    if not recipients or not cache.add(key, True, timeout=DISPUTE_MAIL_MEMORY_SECONDS):
        return False
    language = settings.LANGUAGE_CODE
    amount = Checkout.objects.filter(order=order).values_list("amount_paid", flat=True).first()
    context = {
        "order_number": order.number,
        "amount": format_money(amount if amount is not None else order.total_incl_tax, language),
        "status": status,
        "buyer_email": order.email or "",
        "placed_on": format_date(timezone.localtime(order.date_placed).date().isoformat(), language),
        "dashboard_url": f"{settings.BACKEND_URL}{reverse('dashboard:order-detail', args=[order.number])}",
    }
    try:
        _message(DISPUTE_STAFF, language, context, recipients).send()
    except BaseException:
        cache.delete(key)  # not sent: the retry must send it
        raise
    return True


def on_order_paid(sender: Any, order: Order, **kwargs: Any) -> None:
    enqueue("shop.documents.tasks.order_invoice_send", order.pk)


def on_order_refunded(sender: Any, order: Order, line_ids, amount, refund_key: str, **kwargs: Any) -> None:
    if Decimal(amount) <= 0:
        return  # access ended for money already credited: nothing new to document or tell
    enqueue(
        "shop.documents.tasks.refund_credit_note_send",
        order.pk,
        [int(pk) for pk in line_ids],
        f"{amount}",
        refund_key,
    )


def on_order_disputed(sender: Any, order: Order, status: str, **kwargs: Any) -> None:
    enqueue("shop.documents.tasks.dispute_staff_notify", order.pk, status)


def connect() -> None:
    signals.order_paid.connect(on_order_paid, dispatch_uid="shop.documents.notifications.order_paid")
    signals.order_refunded.connect(
        on_order_refunded, dispatch_uid="shop.documents.notifications.order_refunded"
    )
    signals.order_disputed.connect(
        on_order_disputed, dispatch_uid="shop.documents.notifications.order_disputed"
    )
