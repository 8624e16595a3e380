"""A stand-in for Stripe Checkout while developing: ``/shop/local-payment/<signed link>/``.

It exists only with DEBUG on and no ``STRIPE_SECRET_KEY`` (404 otherwise, so production can never
reach it). Checkout sends the shopper to a signed link per order; the page shows the lines and the
total with "Pay" and "Cancel". "Pay" records the payment through exactly the function the Stripe
webhook uses (``shop.payments.services.payment_succeeded``), "Cancel" the same expiry fact a lapsed
session gives; then the shopper goes back to the front end's page for the order.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.locale import person_language
from shop.checkout.ordering import return_url
from shop.models import Checkout
from shop.payments import services as payments
from shop.statuses import OrderStatus

SALT = "shop.local_payment"  # signed links outlive a deploy: the salt keeps its first name
LINK_MAX_AGE = 24 * 60 * 60


def local_payment_enabled() -> bool:
    return bool(settings.DEBUG and not settings.STRIPE_SECRET_KEY)


def local_payment_url(order) -> str:
    token = signing.dumps(order.number, salt=SALT)
    return f"{settings.BACKEND_URL}{reverse('shop-local-payment', args=[token])}"


def _checkout_for(token: str) -> Checkout:
    if not local_payment_enabled():
        raise Http404
    try:
        number = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise Http404 from error
    checkout = (
        Checkout.objects.select_related("order", "order__user")
        .filter(order__number=number, provider=Checkout.Provider.LOCAL)
        .first()
    )
    if checkout is None:
        raise Http404
    return checkout


@require_http_methods(["GET", "POST"])
def local_payment_page(request: HttpRequest, token: str) -> HttpResponse:
    checkout = _checkout_for(token)
    order = checkout.order
    back = return_url(order, person_language(order.user))
    if request.method == "POST" and order.status == OrderStatus.PENDING:
        if request.POST.get("action") == "pay":
            payments.payment_succeeded(checkout=checkout, amount=order.total_incl_tax, at=timezone.now())
            return HttpResponseRedirect(back)
        if request.POST.get("action") == "cancel":
            payments.checkout_expired(checkout=checkout, at=timezone.now())
            return HttpResponseRedirect(f"{back}?cancelled=1")
    return render(
        request,
        "shop/local_payment.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "payable": order.status == OrderStatus.PENDING,
            "back": back,
        },
    )


urlpatterns = [path("<str:token>/", local_payment_page, name="shop-local-payment")]
