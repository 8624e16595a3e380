"""Refunding lines of an order from the customer view.

The money goes back through the shop's one refund path (:func:`shop.payments.services.refund_lines`):
with Stripe it asks Stripe for the refund, and the order, the grants, the booking a line paid
for and the credit note change when Stripe's ``charge.refunded`` event reports it; an order paid
on the local page (DEBUG) is refunded at once through the same facts. The shop's refusals (not
paid, a line refunded already, nothing paid) are shown as they are.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from oscar.apps.order.models import Order

from backoffice.customers import REFUND_PERMISSION, CustomerDetailView
from backoffice.forms import RefundForm
from core.errors import ApiError
from core.money import format_money
from shop.payments.services import refund_lines
from shop.statuses import LineStatus


class RefundView(CustomerDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, number: str, **kwargs):
        if not request.user.has_perm(REFUND_PERMISSION):
            raise PermissionDenied
        order = Order.objects.filter(number=number, user=self.customer).first()
        if order is None:
            raise Http404
        refundable = [
            (line.pk, f"{line.title} ({format_money(line.line_price_incl_tax)})")
            for line in order.lines.filter(status=LineStatus.PAID, line_price_incl_tax__gt=0).order_by("pk")
        ]
        form = RefundForm(request.POST, lines=refundable)
        if not form.is_valid():
            errors = " ".join(str(error) for field in form.errors.values() for error in field)
            return self.refused(_("Nothing was refunded: %(errors)s") % {"errors": errors})
        reason = f"{form.cleaned_data['reason']} ({request.user.email})"
        try:
            with transaction.atomic():
                refund_lines(order=order, line_ids=form.cleaned_data["lines"], reason=reason)
        except ApiError as refusal:
            return self.refused(_("Nothing was refunded: %(reason)s") % {"reason": refusal.message})
        messages.success(
            request,
            _("The refund of order %(number)s is on its way; the order changes once it is confirmed.")
            % {"number": order.number},
        )
        return self.back()
