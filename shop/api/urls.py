"""The shop's part of ``/api/v1/``: checkout, the shopper's library and orders, offers, subscriptions."""

from shop.api import checkout, invoices, library, offers, orders, subscriptions

urlpatterns = [
    *checkout.urlpatterns,
    *library.urlpatterns,
    *orders.urlpatterns,
    *invoices.urlpatterns,
    *offers.urlpatterns,
    *subscriptions.urlpatterns,
]
