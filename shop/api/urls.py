"""The shop's part of ``/api/v1/``: checkout, the shopper's library and orders, offers, subscriptions.

Every route of the shop's API is declared in this package's two URL modules: this one, and
``oscarapi_urls`` for ``/api/shop/`` (oscar-api's views the site uses, and the shop's own answers
in their place).
"""

from django.urls import path

from shop.api.checkout import CheckoutCancelApi, CheckoutStartApi, CheckoutStatusApi
from shop.api.invoices import OrderCreditNotePdfApi, OrderInvoicePdfApi
from shop.api.library import LibraryApi
from shop.api.offers import OfferListApi
from shop.api.orders import OrderDetailApi, OrderListApi
from shop.api.subscriptions import (
    MySubscriptionApi,
    PlanListApi,
    SubscriptionCheckoutApi,
    SubscriptionPortalApi,
)

urlpatterns = [
    path("checkout/", CheckoutStartApi.as_view(), name="checkout-start"),
    path("checkout/<str:order_number>/", CheckoutStatusApi.as_view(), name="checkout-status"),
    path("checkout/<str:order_number>/cancel/", CheckoutCancelApi.as_view(), name="checkout-cancel"),
    path("me/library/", LibraryApi.as_view(), name="me-library"),
    path("me/orders/", OrderListApi.as_view(), name="me-orders"),
    path("me/orders/<str:number>/", OrderDetailApi.as_view(), name="me-order"),
    path("me/orders/<str:number>/invoice.pdf", OrderInvoicePdfApi.as_view(), name="me-order-invoice"),
    path(
        "me/orders/<str:number>/credit-notes/<str:credit_number>.pdf",
        OrderCreditNotePdfApi.as_view(),
        name="me-order-credit-note",
    ),
    path("offers/", OfferListApi.as_view(), name="offers-list"),
    path("subscriptions/plans/", PlanListApi.as_view(), name="subscription-plans"),
    path("subscriptions/checkout/", SubscriptionCheckoutApi.as_view(), name="subscription-checkout"),
    path("subscriptions/portal/", SubscriptionPortalApi.as_view(), name="subscription-portal"),
    path("me/subscription/", MySubscriptionApi.as_view(), name="me-subscription"),
]
