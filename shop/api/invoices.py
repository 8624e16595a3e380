"""The buyer's invoice and credit notes as PDF downloads.

``GET /api/v1/me/orders/{number}/invoice.pdf`` and
``GET /api/v1/me/orders/{number}/credit-notes/{credit_number}.pdf``: the order's owner only (401
when logged out, 404 for anyone else's order, as for an unknown one), 404 ``invoice_not_ready``
until the invoice is issued after payment. Never cached (``Cache-Control: private, no-store``).
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request

from accounts.api.views import PersonalApi
from core.api import ERROR, ErrorsAsJson
from shop.documents.invoices import document_for_buyer, invoice_filename
from shop.models import Invoice

PDF = OpenApiResponse(OpenApiTypes.BINARY, description="The document as a PDF file (an attachment).")
ORDER_NUMBER = OpenApiParameter(
    "number", str, OpenApiParameter.PATH, description="The order's number, as the order list gives it."
)
CREDIT_NOTE_NUMBER = OpenApiParameter(
    "credit_number",
    str,
    OpenApiParameter.PATH,
    description="The credit note's number (`GS-2026-000001`), as listed with the order's invoices.",
)


def _pdf_response(document: Invoice) -> FileResponse:
    return FileResponse(
        document.pdf.open("rb"),
        as_attachment=True,
        filename=invoice_filename(document),
        content_type="application/pdf",
    )


class OrderInvoicePdfApi(PersonalApi):
    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        operation_id="me_order_invoice_pdf",
        parameters=[ORDER_NUMBER],
        responses={(200, "application/pdf"): PDF, 401: ERROR, 404: ERROR},
        description="The invoice of one of the caller's orders, as a PDF attachment named after its "
        "number. 404 `not_found` for an order that is not the caller's; 404 `invoice_not_ready` "
        "until the order is paid and its invoice issued (a few seconds after payment).",
    )
    def get(self, request: Request, number: str) -> FileResponse:
        return _pdf_response(document_for_buyer(user=request.user, order_number=number))


class OrderCreditNotePdfApi(PersonalApi):
    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        operation_id="me_order_credit_note_pdf",
        parameters=[ORDER_NUMBER, CREDIT_NOTE_NUMBER],
        responses={(200, "application/pdf"): PDF, 401: ERROR, 404: ERROR},
        description="A credit note (the correction issued for a refund) of one of the caller's "
        "orders, as a PDF attachment. Its number is listed with the order's invoices.",
    )
    def get(self, request: Request, number: str, credit_number: str) -> FileResponse:
        document = document_for_buyer(
            user=request.user, order_number=number, credit_note_number=credit_number
        )
        return _pdf_response(document)
