"""Mounted at ``/api/shop/`` before oscar-api's own URLs: the endpoints we answer ourselves.

- ``basket/add-product/``: refuses what the shopper already owns (409 ``already_owned``) and says
  when a bundle overlaps what they own (``shop.api.basket_add``).
- ``basket/add-voucher/``: explains every refusal of a code (``shop.api.vouchers``).
- ``baskets/<basket>/lines/<line>/``: a line's quantity stays 1 (``shop.api.basket_lines``).
- ``checkout/``, ``login/``, ``register/``: closed. oscar-api's checkout would place orders that
  no payment ever settles (and hold a voucher's use for good); shoppers log in and sign up through
  allauth, which rate-limits and mails codes. The answer says where to go instead.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.errors import error_body
from shop.api import basket_add, basket_lines, vouchers

CLOSED = {
    "checkout/": "Checkout is POST /api/v1/checkout/.",
    "login/": "Log in through /_allauth/ (e-mailed code or a social account).",
    "register/": "Sign up through /_allauth/ (e-mailed code or a social account).",
}


def _closed(message: str):
    @csrf_exempt
    def view(request: HttpRequest) -> JsonResponse:
        return JsonResponse(error_body("not_found", message), status=404)

    return view


urlpatterns = [
    *basket_add.urlpatterns,
    *vouchers.urlpatterns,
    *basket_lines.urlpatterns,
    *(path(route, _closed(message)) for route, message in CLOSED.items()),
]
