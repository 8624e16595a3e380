"""Invoices and credit notes: gap-free numbers, a frozen snapshot of what they say, their PDF.

German VAT law (§14 UStG) wants every invoice to carry a unique number from one unbroken
sequence. A number is taken from :class:`~shop.models.InvoiceSequence` (one row per kind and
year, locked with ``SELECT ... FOR UPDATE``) in the same transaction that writes the invoice, so
concurrent payments queue for the next number and a transaction that rolls back gives its number
back: no gaps, no duplicates. Invoices (``RE-2026-000001``) and credit notes (``GS-2026-000001``)
have separate series; the year is the seller's (``TIME_ZONE``, Europe/Berlin).

What the document says (seller, buyer, lines, amounts, dates, language) is frozen in
``Invoice.content`` when it is issued, so a later change of a price, a title or the seller's
address never changes an issued document. The PDF is made from that snapshot
(:mod:`shop.documents.invoice_pdf`), in the buyer's language, after the number is taken: rendering never
holds the sequence lock, and a missing PDF can always be made again from the record.

A refund is documented by a credit note (in German a *Rechnungskorrektur*: a *Gutschrift* is, in
VAT law, a bill the buyer writes) with negative amounts, naming the invoice it corrects; one per
refund, whatever how often the refund is reported.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from oscar.apps.order.models import Line, Order
from wagtail.models import Page

from core.errors import ApiError
from core.locale import person_language
from shop.documents import invoice_pdf
from shop.models import Checkout, Invoice, InvoiceSequence
from shop.statuses import OrderStatus
from shop.vat import CENT, gross_split, vat_rate

NUMBER_PREFIXES = {Invoice.Kind.INVOICE: "RE", Invoice.Kind.CREDIT_NOTE: "GS"}
NUMBER_DIGITS = 6
# An order in one of these states was paid (a later refund does not undo that it was).
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
CONTENT_VERSION = 1


def _amount(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT)}"


def _local_date(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def seller_address_lines() -> list[str]:
    """``SHOP_SELLER_ADDRESS`` as lines: real newlines, or a literal ``\\n`` from the environment."""
    text = settings.SHOP_SELLER_ADDRESS.replace("\\n", "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


def document_language(order: Order) -> str:
    """The buyer's language (``user.locale``); German for guests and erased accounts."""
    return person_language(order.user if order.user_id else None)


def _seller() -> dict[str, Any]:
    return {
        "name": settings.SHOP_SELLER_NAME,
        "address": seller_address_lines(),
        "vat_id": settings.SHOP_SELLER_VAT_ID,
        "email": settings.SHOP_SELLER_EMAIL,
    }


def _buyer(order: Order) -> dict[str, Any]:
    """Who bought: the account's name and e-mail (a guest's e-mail), and a billing address when
    the checkout collected one (the law asks for it on invoices above 250 € gross)."""
    user = order.user if order.user_id else None
    address = order.billing_address
    name = (address.salutation if address else "") or (user.get_full_name().strip() if user else "")
    return {"name": name, "email": order.email or "", "address": _address_lines(address) if address else []}


def _address_lines(address) -> list[str]:
    """A postal address as written in Germany: street lines, then postcode and town, then country."""
    town = " ".join(part for part in (address.postcode, address.line4) if part)
    country = address.country.printable_name if address.country_id else ""
    lines = (address.line1, address.line2, address.line3, town, address.state, country)
    return [line.strip() for line in lines if line and line.strip()]


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None  # a product that is no catalogue page (a consultation)


def _translated_titles(lines: Iterable[Line], language: str) -> dict[str, str]:
    """Titles of the bought pages in ``language`` (order lines keep the German title), by upc."""
    if language == settings.LANGUAGE_CODE:
        return {}
    keys = [key for key in (_uuid(line.upc) for line in lines) if key is not None]
    rows = Page.objects.filter(translation_key__in=keys, locale__language_code=language).values_list(
        "translation_key", "title"
    )
    return {str(key): title for key, title in rows}


def _line_rows(lines: list[Line], language: str, sign: int = 1) -> list[dict[str, Any]]:
    titles = _translated_titles(lines, language)
    rows = []
    for position, line in enumerate(lines, start=1):
        gross, net = line.line_price_incl_tax, line.line_price_excl_tax
        before = line.line_price_before_discounts_incl_tax
        rows.append(
            {
                "position": position,
                "title": titles.get(line.upc or "", line.title),
                "quantity": line.quantity,
                "price": _amount(sign * before),
                "discount": _amount(sign * (before - gross)),
                "net": _amount(sign * net),
                "vat": _amount(sign * (gross - net)),
                "gross": _amount(sign * gross),
            }
        )
    return rows


def _totals(rows: list[dict[str, Any]]) -> dict[str, str]:
    def total(key: str) -> str:
        return _amount(sum((Decimal(row[key]) for row in rows), Decimal("0.00")))

    return {key: total(key) for key in ("price", "discount", "net", "vat", "gross")}


def _next_number(kind: str, issued_at: datetime) -> tuple[int, int]:
    """Take the next number of ``kind`` in the year of ``issued_at``, locked until commit."""
    year = timezone.localtime(issued_at).year
    # The year's row is made by whoever needs it first; a concurrent maker's insert is ignored.
    InvoiceSequence.objects.bulk_create([InvoiceSequence(kind=kind, year=year)], ignore_conflicts=True)
    sequence = InvoiceSequence.objects.select_for_update().get(kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return year, sequence.last


def _number(kind: str, year: int, sequence: int) -> str:
    return f"{NUMBER_PREFIXES[kind]}-{year}-{sequence:0{NUMBER_DIGITS}d}"


def _create(*, kind: str, order: Order, content: dict[str, Any], refund_key: str = "") -> Invoice:
    """Number and write a document (the caller holds the order's lock, inside its transaction)."""
    issued_at = timezone.now()
    year, sequence = _next_number(kind, issued_at)
    number = _number(kind, year, sequence)
    content = {
        "version": CONTENT_VERSION,
        "kind": kind,
        "number": number,
        "issued_on": _local_date(issued_at),
        "order_number": order.number,
        "currency": order.currency,
        "vat_rate": f"{(vat_rate() * 100).normalize():f}",
        "seller": _seller(),
        "buyer": _buyer(order),
        **content,
    }
    totals = content["totals"]
    return Invoice.objects.create(
        kind=kind,
        number=number,
        year=year,
        sequence=sequence,
        order=order,
        refund_key=refund_key,
        issued_at=issued_at,
        net=Decimal(totals["net"]),
        vat=Decimal(totals["vat"]),
        gross=Decimal(totals["gross"]),
        currency=order.currency,
        content=content,
    )


def _paid_at(order: Order) -> datetime | None:
    return Checkout.objects.filter(order=order).values_list("paid_at", flat=True).first()


@transaction.atomic
def _invoice_record(order: Order) -> Invoice:
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("user", "billing_address")
        .get(pk=order.pk)
    )
    existing = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
    if existing is not None:
        return existing
    if order.status not in PAID_STATUSES:
        raise ApiError("order_not_paid", "An invoice is issued once the order is paid.", status=409)
    language = document_language(order)
    rows = _line_rows(list(order.lines.order_by("pk")), language)
    paid_at = _paid_at(order) or timezone.now()
    vouchers = sorted({code for code in order.discounts.values_list("voucher_code", flat=True) if code})
    return _create(
        kind=Invoice.Kind.INVOICE,
        order=order,
        content={
            "language": language,
            "supplied_on": _local_date(paid_at),
            "paid_on": _local_date(paid_at),
            "lines": rows,
            "totals": _totals(rows),
            "vouchers": vouchers,
        },
    )


def invoice_issue(*, order: Order) -> Invoice:
    """The invoice of a paid order, with its PDF: issued on the first call, the same one after.

    Raises :class:`ApiError` 409 ``order_not_paid`` for an order that was never paid.
    """
    return invoice_pdf_ensure(invoice=_invoice_record(order))


def _credit_rows(order: Order, line_ids: list[int], amount: Decimal, language: str) -> list[dict[str, Any]]:
    """The refunded lines as negative lines when the refund is exactly their price; otherwise
    (a partial or goodwill refund) one line of the amount, naming the lines it concerns."""
    lines = list(order.lines.filter(pk__in=line_ids).order_by("pk"))
    if lines and sum(line.line_price_incl_tax for line in lines) == amount:
        return _line_rows(lines, language, sign=-1)
    split = gross_split(amount)
    titles = _translated_titles(lines, language)
    return [
        {
            "position": 1,
            "title": invoice_pdf.partial_refund_title(
                language, [titles.get(line.upc or "", line.title) for line in lines]
            ),
            "quantity": 1,
            "price": _amount(-split.gross),
            "discount": "0.00",
            "net": _amount(-split.net),
            "vat": _amount(-split.vat),
            "gross": _amount(-split.gross),
        }
    ]


@transaction.atomic
def _credit_note_record(
    *, order: Order, invoice: Invoice, line_ids: list[int], amount: Decimal, refund_key: str
) -> Invoice:
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("user", "billing_address")
        .get(pk=order.pk)
    )
    existing = Invoice.objects.filter(
        order=order, kind=Invoice.Kind.CREDIT_NOTE, refund_key=refund_key
    ).first()
    if existing is not None:
        return existing
    language = invoice.content.get("language") or document_language(order)
    rows = _credit_rows(order, line_ids, amount, language)
    return _create(
        kind=Invoice.Kind.CREDIT_NOTE,
        order=order,
        refund_key=refund_key,
        content={
            "language": language,
            # The recipient of the invoice it corrects, even if the account changed or was erased since.
            "buyer": invoice.content.get("buyer") or _buyer(order),
            "corrects": {"number": invoice.number, "issued_on": invoice.content.get("issued_on")},
            "lines": rows,
            "totals": _totals(rows),
        },
    )


def credit_note_issue(*, order: Order, line_ids: Iterable[int], amount: Decimal, refund_key: str) -> Invoice:
    """The credit note of one refund (``amount`` returned, gross), with its PDF; the same one when
    the refund is reported again. Issues the order's invoice first when it has none yet (a refund
    reported before the invoice task ran)."""
    amount = Decimal(amount).quantize(CENT)
    if amount <= 0 or not refund_key:
        raise ValueError("A credit note needs a positive amount and the refund's key.")
    invoice = _invoice_record(order)
    credit_note = _credit_note_record(
        order=order, invoice=invoice, line_ids=list(line_ids), amount=amount, refund_key=refund_key
    )
    invoice_pdf_ensure(invoice=invoice)
    return invoice_pdf_ensure(invoice=credit_note)


def invoice_pdf_ensure(*, invoice: Invoice) -> Invoice:
    """Render and store the document's PDF unless it has one. The file name carries a random part:
    invoice numbers are guessable, and a misconfigured public bucket must not make them readable."""
    if invoice.pdf:
        return invoice
    data = invoice_pdf.render(invoice.content, issued_at=invoice.issued_at)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.pdf:
            locked.pdf.save(f"{locked.number}-{secrets.token_hex(8)}.pdf", ContentFile(data), save=False)
            locked.save(update_fields=["pdf"])
    return locked


def invoice_filename(invoice: Invoice) -> str:
    """What the buyer's download is called: the document's number."""
    return f"{invoice.number}.pdf"


def document_for_buyer(*, user, order_number: str, credit_note_number: str | None = None) -> Invoice:
    """The invoice (or the named credit note) of one of ``user``'s orders, ready to download.

    Raises :class:`ApiError` 404 ``not_found`` for an order that is not theirs (or does not exist,
    which it is not told apart from) and for an unknown credit note; 404 ``invoice_not_ready``
    while the order's invoice is not issued yet (unpaid, or the task has not run).
    """
    order = Order.objects.filter(user=user, number=order_number).only("pk").first()
    if order is None:
        raise ApiError("not_found", "No such order.", status=404)
    if credit_note_number is None:
        invoice = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
        if invoice is None or not invoice.pdf:
            raise ApiError(
                "invoice_not_ready", "The invoice is made once the payment has arrived.", status=404
            )
        return invoice
    credit_note = Invoice.objects.filter(
        order=order, kind=Invoice.Kind.CREDIT_NOTE, number=credit_note_number
    ).first()
    if credit_note is None or not credit_note.pdf:
        raise ApiError("not_found", "No such credit note for this order.", status=404)
    return credit_note
