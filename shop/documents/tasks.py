"""The order mails' Celery tasks: each issues its document (once) and mails it through
``shop.documents.notifications``. Tasks take ids, retry with backoff, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from oscar.apps.order.models import Order

from core.errors import ApiError
from core.tasks import MAIL_TASK_OPTIONS
from shop.documents.invoices import credit_note_issue, invoice_issue
from shop.documents.notifications import (
    ORDER_CONFIRMATION,
    REFUND_NOTICE,
    dispute_staff_email_send,
    document_email_send,
)


def _retry_unless_paid_later(task, error: ApiError) -> BaseException:
    """An order not (yet) recorded as paid may be a refund reported while the payment is still
    being recorded: try again later. Any other refusal is final."""
    if error.code != "order_not_paid":
        return error
    return task.retry(exc=error)


@shared_task(**MAIL_TASK_OPTIONS)
def order_invoice_send(self, order_id: int) -> None:
    """Issue the paid order's invoice and mail it with the order confirmation (once)."""
    try:
        invoice = invoice_issue(order=Order.objects.get(pk=order_id))
    except ApiError as error:
        raise _retry_unless_paid_later(self, error) from error
    document_email_send(invoice=invoice, template=ORDER_CONFIRMATION)


@shared_task(**MAIL_TASK_OPTIONS)
def refund_credit_note_send(self, order_id: int, line_ids: list[int], amount: str, refund_key: str) -> None:
    """Issue the refund's credit note and mail it with the refund notice (once per refund)."""
    try:
        credit_note = credit_note_issue(
            order=Order.objects.get(pk=order_id), line_ids=line_ids, amount=amount, refund_key=refund_key
        )
    except ApiError as error:
        raise _retry_unless_paid_later(self, error) from error
    document_email_send(invoice=credit_note, template=REFUND_NOTICE)


@shared_task(**MAIL_TASK_OPTIONS)
def dispute_staff_notify(self, order_id: int, status: str) -> None:
    """Tell staff about a disputed payment."""
    dispute_staff_email_send(order=Order.objects.get(pk=order_id), status=status)
