"""The shop's own records in the Django admin (``/django-admin/``), for staff looking into a payment.

Read-only: these rows are what Stripe reported and what the shop derived from it, changed only by
the shop's code. The one action is "process again" for a Stripe event that failed
``STRIPE_EVENT_MAX_ATTEMPTS`` times and waits for staff (after the cause is fixed); it runs the
same processing the webhook queues.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.storage import private_file_response
from shop.documents.invoices import invoice_filename
from shop.models import Checkout, Grant, Invoice, StripeEvent
from shop.payments.tasks import stripe_event_process


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "created", "received_at", "processed_at", "attempts")
    list_filter = ("type", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("id", "error")
    date_hierarchy = "received_at"
    actions = ["process_again"]

    @admin.action(description="Process again (after fixing what made it fail)", permissions=["process"])
    def process_again(self, request, queryset) -> None:
        pending = list(queryset.filter(processed_at=None).values_list("id", flat=True))
        for event_id in pending:
            stripe_event_process.delay(event_id)
        self.message_user(request, f"{len(pending)} event(s) queued; processed ones are left alone.")

    def has_process_permission(self, request) -> bool:
        return request.user.has_perm("shop.change_stripeevent")


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = (
        "order",
        "provider",
        "created_at",
        "paid_at",
        "amount_paid",
        "amount_refunded",
        "dispute_status",
    )
    list_filter = ("provider", "dispute_status")
    search_fields = ("order__number", "stripe_session_id", "stripe_payment_intent_id", "user__email")
    list_select_related = ("order",)


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "item_key", "source", "status", "order_line", "created_at")
    list_filter = ("source", "status")
    search_fields = ("user__email", "item_key", "order_line__order__number")
    list_select_related = ("user", "order_line")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """The PDF sits in the private storage and has no URL of its own: staff who may view
    invoices download it through :meth:`pdf_view`, which the admin's login and this permission
    guard."""

    list_display = ("number", "kind", "order", "issued_at", "net", "vat", "gross", "emailed_at")
    list_filter = ("kind", "year")
    search_fields = ("number", "order__number")
    list_select_related = ("order",)
    exclude = ("pdf",)
    readonly_fields = ("pdf_link",)

    def get_urls(self):
        download = self.admin_site.admin_view(self.pdf_view)
        return [path("<int:pk>/pdf/", download, name="shop_invoice_pdf"), *super().get_urls()]

    def pdf_view(self, request, pk: int):
        invoice = get_object_or_404(Invoice, pk=pk)
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        if not invoice.pdf:
            raise Http404(_("This invoice has no PDF yet."))
        return private_file_response(invoice.pdf, filename=invoice_filename(invoice))

    @admin.display(description=_("PDF"))
    def pdf_link(self, invoice: Invoice) -> str:
        if not invoice.pdf:
            return "-"
        url = reverse("admin:shop_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))
