"""The customer view: staff find a customer by e-mail (or name) and see, on one page, their
orders, subscription, bookings, library and progress, and give or take back access to a
catalogue item with a reason.

What the page shows is read by :mod:`backoffice.customer_selectors`; grants and revokes are
:mod:`backoffice.customer_services`, refunds :mod:`backoffice.refunds`.

The detail page costs a constant number of queries however many orders, bookings, grants and
progress rows the customer has: one per section, plus one for the catalogue's titles.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from backoffice.customer_selectors import (
    catalog_items,
    customer_by_email,
    customer_overview,
    customers_search,
    paid_orders_by_customer,
    subscription_text,
    subscriptions_by_customer,
)
from backoffice.customer_services import GrantRefused, customer_grant, customer_grant_revoke
from backoffice.forms import REASON_MAX_LENGTH, GrantForm, RevokeForm
from cms.selectors.served import SOURCE_LOCALE
from shop.models import Grant

PERMISSION = "backoffice.serve_customers"
# Giving money back is for those who may change orders (as in Oscar's dashboard).
REFUND_PERMISSION = "order.change_order"
PER_PAGE = 25


def permission_check(user) -> None:
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


class CustomerPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        permission_check(request.user)
        return super().dispatch(request, *args, **kwargs)


class CustomerIndexView(CustomerPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/customers/index.html"
    header_icon = "user"

    def get_page_title(self) -> str:
        return _("Customers")

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()[:254]
        if (found := customer_by_email(query)) is not None:
            return redirect("backoffice_customers:detail", found)
        page = Paginator(customers_search(query), PER_PAGE).get_page(request.GET.get("p"))
        ids = [customer.pk for customer in page]
        subscriptions, paid_orders = subscriptions_by_customer(ids), paid_orders_by_customer(ids)
        rows = [
            {
                "customer": customer,
                "paid_orders": paid_orders.get(customer.pk, 0),
                "subscription": subscription_text(subscriptions.get(customer.pk)),
            }
            for customer in page
        ]
        return self.render_to_response(self.get_context_data(query=query, page=page, rows=rows))


class CustomerDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/customers/detail.html"
    header_icon = "user"

    def dispatch(self, request, *args, pk: int, **kwargs):
        permission_check(request.user)
        self.customer = get_user_model().objects.filter(pk=pk).first()
        if self.customer is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.customer.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("backoffice_customers:index"), "label": _("Customers")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = customer_overview(self.customer, (get_language() or SOURCE_LOCALE)[:2])
        items = [(item.key, item.kind, item.title) for item in overview.pop("catalog").values()]
        kwargs.setdefault("grant_form", GrantForm(items=items))
        context.update(overview)
        context.update(kwargs)
        context["studio_time_zone"] = settings.TIME_ZONE
        context["reason_max_length"] = REASON_MAX_LENGTH
        context["can_refund"] = self.request.user.has_perm(REFUND_PERMISSION)
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def refused(self, message: str, **forms):
        """The page again, with what was wrong (status 400: nothing was changed)."""
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**forms), status=400)

    def back(self):
        return redirect("backoffice_customers:detail", self.customer.pk)


class GrantView(CustomerDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        items = [(item.key, item.kind, item.title) for item in catalog_items(SOURCE_LOCALE).values()]
        form = GrantForm(request.POST, items=items)
        if not form.is_valid():
            return self.refused(_("Access was not given: see the form below."), grant_form=form)
        try:
            customer_grant(
                customer=self.customer,
                item_key=form.cleaned_data["item"],
                staff=request.user,
                reason=form.cleaned_data["reason"],
            )
        except GrantRefused as refusal:
            form.add_error(None, refusal.message)
            return self.refused(refusal.message, grant_form=form)
        title = dict((key, title) for key, _kind, title in items)[form.cleaned_data["item"]]
        messages.success(
            request,
            _("%(email)s may now watch “%(title)s”.") % {"email": self.customer.email, "title": title},
        )
        return self.back()


class RevokeView(CustomerDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, grant_pk: int, **kwargs):
        grant = Grant.objects.filter(pk=grant_pk, user=self.customer).first()
        if grant is None:
            raise Http404
        form = RevokeForm(request.POST)
        if not form.is_valid():
            return self.refused(
                _("The grant was not revoked: give a reason."), revoke_form=form, revoke_grant=grant.pk
            )
        try:
            customer_grant_revoke(grant=grant, staff=request.user, reason=form.cleaned_data["reason"])
        except GrantRefused as refusal:
            return self.refused(refusal.message)
        messages.success(request, _("The grant was revoked."))
        return self.back()
