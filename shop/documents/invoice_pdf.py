"""An invoice or credit note as a PDF, drawn from its frozen content (``Invoice.content``).

fpdf2 draws it: pure Python (its Pillow, fontTools and defusedxml are already in the tree), so the
two-command start needs no system library. The text is set in DejaVu Sans, shipped in
``shop/documents/fonts/`` (cut to Latin, Greek and Cyrillic, see its README), so "€", umlauts and buyers'
names in Turkish, Polish or Czech print as written; the PDF embeds only the glyphs it uses.

The words are here, in German and English; the facts (numbers, dates, amounts) come from the
content alone, so a document rendered again from the same content says the same.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from core.locale import format_date
from core.money import format_money

# fontTools logs every glyph it keeps when the font is embedded, at INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "invoice": "Rechnung",
        "credit_note": "Rechnungskorrektur",
        "number": "Nummer",
        "issued_on": "Datum",
        "supplied_on": "Leistungsdatum",
        "order_number": "Bestellnummer",
        "corrects": "Korrektur der Rechnung",
        "corrects_date": "vom",
        "buyer": "Rechnungsempfänger",
        "seller_vat_id": "USt-IdNr.",
        "position": "Pos.",
        "title": "Beschreibung",
        "price": "Preis",
        "discount": "Rabatt",
        "net": "Netto",
        "vat": "USt.",
        "gross": "Brutto",
        "total_net": "Summe netto",
        "total_vat": "Umsatzsteuer {rate} %",
        "total_gross": "Gesamtbetrag",
        "total_refund": "Erstattungsbetrag",
        "vat_included": "Alle Beträge in Euro. Im Gesamtbetrag von {gross} sind {vat} Umsatzsteuer "
        "({rate} %) enthalten.",
        "paid": "Bezahlt am {paid_on}. Die digitalen Inhalte wurden mit der Zahlung bereitgestellt; "
        "Leistungsdatum ist der Tag der Zahlung.",
        "vouchers": "Eingelöste Gutscheincodes: {codes}.",
        "credit_note_text": "Diese Rechnungskorrektur mindert die Rechnung {number} vom {date} um {gross} "
        "(darin {vat} Umsatzsteuer, {rate} %). Der Betrag wird auf das Zahlungsmittel erstattet, mit "
        "dem bezahlt wurde.",
        "partial_refund": "Teilerstattung",
        "page": "Seite {page}/{pages}",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "Number",
        "issued_on": "Date",
        "supplied_on": "Date of supply",
        "order_number": "Order number",
        "corrects": "Corrects invoice",
        "corrects_date": "of",
        "buyer": "Billed to",
        "seller_vat_id": "VAT ID",
        "position": "No.",
        "title": "Description",
        "price": "Price",
        "discount": "Discount",
        "net": "Net",
        "vat": "VAT",
        "gross": "Gross",
        "total_net": "Total net",
        "total_vat": "VAT {rate} %",
        "total_gross": "Total",
        "total_refund": "Amount refunded",
        "vat_included": "All amounts in euros. The total of {gross} includes {vat} VAT ({rate} %).",
        "paid": "Paid on {paid_on}. The digital content was made available on payment; the date of "
        "supply is the day of payment.",
        "vouchers": "Discount codes redeemed: {codes}.",
        "credit_note_text": "This credit note reduces invoice {number} of {date} by {gross} (including "
        "{vat} VAT, {rate} %). The amount is refunded to the means of payment used.",
        "partial_refund": "Partial refund",
        "page": "Page {page}/{pages}",
    },
}


def _texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["de"])


def partial_refund_title(language: str, titles: list[str]) -> str:
    """The one line of a refund that is not the price of whole lines."""
    label = _texts(language)["partial_refund"]
    return f"{label}: {', '.join(titles)}" if titles else label


def remarks(content: dict[str, Any]) -> list[str]:
    """The sentences German VAT law and the buyer need below the amounts."""
    language = content["language"]
    texts = _texts(language)
    totals = content["totals"]
    money = {key: format_money(totals[key], language) for key in ("gross", "vat")}
    if content["kind"] == "credit_note":
        corrects = content["corrects"]
        return [
            texts["credit_note_text"].format(
                number=corrects["number"],
                date=format_date(corrects["issued_on"], language),
                gross=format_money(abs(Decimal(totals["gross"])), language),
                vat=format_money(abs(Decimal(totals["vat"])), language),
                rate=content["vat_rate"],
            )
        ]
    sentences = [
        texts["vat_included"].format(rate=content["vat_rate"], **money),
        texts["paid"].format(paid_on=format_date(content["paid_on"], language)),
    ]
    if content.get("vouchers"):
        sentences.append(texts["vouchers"].format(codes=", ".join(content["vouchers"])))
    return sentences


class _Document(FPDF):
    def __init__(self, content: dict[str, Any]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        self.texts = _texts(content["language"])
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=25)

    def footer(self) -> None:
        seller = self.content["seller"]
        parts = [seller["name"], *seller["address"]]
        if seller.get("vat_id"):
            parts.append(f"{self.texts['seller_vat_id']} {seller['vat_id']}")
        self.set_y(-18)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        self.multi_cell(0, 3.5, " · ".join(parts), align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 3.5, self.texts["page"].format(page=self.page_no(), pages="{nb}"), align="C")
        self.set_text_color(0)


def _header(pdf: _Document, content: dict[str, Any]) -> None:
    texts, language, seller = pdf.texts, content["language"], content["seller"]
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 6, seller["name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    for line in [*seller["address"], seller.get("email") or ""]:
        if line:
            pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    if seller.get("vat_id"):
        pdf.cell(0, 4.5, f"{texts['seller_vat_id']} {seller['vat_id']}", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(8)
    top = pdf.get_y()
    buyer = content["buyer"]
    pdf.set_font(FONT, size=7)
    pdf.set_text_color(110)
    pdf.cell(90, 4, texts["buyer"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=10)
    for line in [buyer.get("name"), *buyer.get("address", []), buyer.get("email")]:
        if line:
            pdf.cell(90, 5, line, new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()

    facts = [
        (texts["number"], content["number"]),
        (texts["issued_on"], format_date(content["issued_on"], language)),
    ]
    if content.get("supplied_on"):
        facts.append((texts["supplied_on"], format_date(content["supplied_on"], language)))
    facts.append((texts["order_number"], content["order_number"]))
    if content.get("corrects"):
        corrects = content["corrects"]
        facts.append((texts["corrects"], corrects["number"]))
        facts.append((texts["corrects_date"], format_date(corrects["issued_on"], language)))
    pdf.set_xy(115, top)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(75, 8, texts[content["kind"]], align="R", new_x="LEFT", new_y="NEXT")
    for label, value in facts:
        pdf.set_x(115)
        pdf.set_font(FONT, size=9)
        pdf.cell(40, 5, label)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(35, 5, value, align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 10)


def _lines(pdf: _Document, content: dict[str, Any]) -> None:
    texts, language = pdf.texts, content["language"]
    columns = ("position", "title", "price", "discount", "net", "vat", "gross")
    pdf.set_font(FONT, size=8.5)
    with pdf.table(
        col_widths=(11, 59, 20, 20, 20, 20, 20),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
        padding=(1.2, 1),
        width=170,
    ) as table:
        headings = table.row()
        for column in columns:
            label = texts[column]
            headings.cell(f"{label} {content['vat_rate']} %" if column == "vat" else label)
        for line in content["lines"]:
            row = table.row()
            row.cell(str(line["position"]))
            row.cell(line["title"])
            for column in columns[2:]:
                row.cell(format_money(line[column], language))


def _totals(pdf: _Document, content: dict[str, Any]) -> None:
    texts, language, totals = pdf.texts, content["language"], content["totals"]
    rows = [
        (texts["total_net"], totals["net"], False),
        (texts["total_vat"].format(rate=content["vat_rate"]), totals["vat"], False),
        (texts["total_refund" if content["kind"] == "credit_note" else "total_gross"], totals["gross"], True),
    ]
    pdf.ln(4)
    for label, amount, strong in rows:
        pdf.set_x(110)
        pdf.set_font(FONT, "B" if strong else "", 10 if strong else 9)
        pdf.cell(50, 6, label)
        pdf.cell(30, 6, format_money(amount, language), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, size=8.5)
    for sentence in remarks(content):
        pdf.multi_cell(0, 4.5, sentence, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def render(content: dict[str, Any], *, issued_at: datetime.datetime | None = None) -> bytes:
    """The PDF of a document's content; the same content (and date) gives the same document."""
    pdf = _Document(content)
    pdf.set_title(f"{pdf.texts[content['kind']]} {content['number']}")
    pdf.set_author(content["seller"]["name"])
    pdf.set_creator(content["seller"]["name"])
    pdf.set_lang(content["language"])
    if issued_at is not None:
        pdf.set_creation_date(issued_at)
    pdf.add_page()
    _header(pdf, content)
    _lines(pdf, content)
    _totals(pdf, content)
    return bytes(pdf.output())
