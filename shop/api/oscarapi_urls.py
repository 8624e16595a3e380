"""``/api/shop/``: the part of django-oscar-api the Astro site uses, and nothing else.

oscar-api's own ``oscarapi.urls`` is not mounted. It serves everything it has: password login and
sign-up, a checkout that places orders no payment ever settles (and holds a voucher's use for
good), writable baskets (``PATCH {"owner": <someone else>}`` moved a basket into another account),
writable basket lines and line attributes (a booking hold is a line option), a category tree
anyone may write (``categories-bulk`` has no permission classes), products whatever their
``is_public``, orders and addresses. And it passes all of that through ``format_suffix_patterns``,
so closing ``login/`` by its path left ``login.json`` open.

So each route here is chosen by its view, and every one answers the same with and without a
format suffix (``basket/`` and ``basket.json``). ``tests/config/test_url_allowlist.py`` holds the
whole URL map to a committed list, so an upgrade of oscar-api cannot add a door unnoticed.

What is served:

- ``basket/``: the caller's basket (read); ``basket/add-product/`` and ``basket/add-voucher/``
  are the shop's own answers (``shop.api.basket_add``, ``shop.api.vouchers``).
- ``baskets/<basket>/``, ``.../lines/``, ``.../lines/<line>/lineattributes/<pk>/``: read only, the
  caller's basket only. oscar-api's serializers link to them; nothing about a basket is written
  through them (its owner and status are the shop's business).
- ``baskets/<basket>/lines/<line>/``: read, remove, quantity stays 1 (``shop.api.basket_lines``).
- ``products/`` and what a product links to (price, availability, stock records, its options):
  read only, public products only. ``users/<pk>/``, the basket's ``owner`` link: the caller only,
  and it tells nothing (``OSCARAPI_EXPOSE_USER_DETAILS`` is off).
- ``checkout/``, ``login/``, ``register/``: closed with a pointer to where to go instead.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from oscar.core.loading import get_model
from oscarapi.views import basic, basket, login, product
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.urlpatterns import format_suffix_patterns
from rest_framework.views import APIView

from core.errors import error_body
from shop.api.basket_add import BasketAddProductApi
from shop.api.basket_lines import BasketLineApi
from shop.api.vouchers import BasketVoucherAddApi

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

READ_ONLY = ["get", "head", "options"]

CLOSED = {
    "checkout/": "Checkout is POST /api/v1/checkout/.",
    "login/": "Log in through /_allauth/ (e-mailed code or a social account).",
    "register/": "Sign up through /_allauth/ (e-mailed code or a social account).",
}


def _closed(message: str):
    @csrf_exempt
    def view(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        return JsonResponse(error_body("not_found", message), status=404)

    return view


class ShopApiRootApi(APIView):
    """What is here: the entries the site starts from (oscar-api's root lists routes we closed)."""

    permission_classes = [AllowAny]
    ENTRIES = {
        "basket": "api-basket",
        "basket-add-product": "shop-basket-add-product",
        "basket-add-voucher": "shop-basket-add-voucher",
        "products": "product-list",
    }

    @extend_schema(
        operation_id="shop_root",
        responses=inline_serializer("ShopRoot", {name: serializers.URLField() for name in ENTRIES}),
    )
    def get(self, request: Request, format: str | None = None) -> Response:
        return Response(
            {name: reverse(route, request=request, format=format) for name, route in self.ENTRIES.items()}
        )


class BasketReadApi(basic.BasketDetail):
    """A basket by id, read only: its owner and status change only through the shop's own code."""

    http_method_names = READ_ONLY


class BasketLinesReadApi(basket.LineList):
    """A basket's lines, read only: lines are added through ``basket/add-product/`` alone."""

    http_method_names = READ_ONLY


class LineAttributeReadApi(basic.LineAttributeDetail):
    """A line's option (a booking hold is one), read only: it is set when the line is added."""

    http_method_names = READ_ONLY


class PublicProducts:
    """Only products the catalogue shows: a withdrawn or unpublished one is a 404 here."""

    def get_queryset(self):
        return super().get_queryset().filter(is_public=True)


class ProductListApi(PublicProducts, product.ProductList):
    pass


class ProductDetailApi(PublicProducts, product.ProductDetail):
    pass


class ProductPriceApi(PublicProducts, product.ProductPrice):
    pass


class ProductAvailabilityApi(PublicProducts, product.ProductAvailability):
    pass


class ProductStockRecordsApi(product.ProductStockRecords):
    def get_queryset(self):
        get_object_or_404(Product, pk=self.kwargs["pk"], is_public=True)
        return super().get_queryset()


class ProductStockRecordApi(product.ProductStockRecordDetail):
    """oscar-api's view ignores the product in the path; here the record must be that product's."""

    def get_queryset(self):
        return StockRecord.objects.filter(product_id=self.kwargs["product_pk"], product__is_public=True)


urlpatterns = [
    # The shop's own answers, before oscar-api's: with and without a format suffix, so that no
    # spelling of a path ("basket/add-product.json") reaches oscar-api's view of it.
    # ``basket-line-detail`` is oscar-api's name, which its serializers reverse for each line's url.
    *format_suffix_patterns(
        [
            path("basket/add-product/", BasketAddProductApi.as_view(), name="shop-basket-add-product"),
            path("basket/add-voucher/", BasketVoucherAddApi.as_view(), name="shop-basket-add-voucher"),
            path(
                "baskets/<int:basket_pk>/lines/<int:pk>/", BasketLineApi.as_view(), name="basket-line-detail"
            ),
        ]
    ),
    *format_suffix_patterns(
        [
            path("", ShopApiRootApi.as_view(), name="api-root-shop"),
            path("basket/", basket.BasketView.as_view(), name="api-basket"),
            path("baskets/<int:pk>/", BasketReadApi.as_view(), name="basket-detail"),
            path("baskets/<int:pk>/lines/", BasketLinesReadApi.as_view(), name="basket-lines-list"),
            path(
                "baskets/<int:basket_pk>/lines/<int:line_pk>/lineattributes/<int:pk>/",
                LineAttributeReadApi.as_view(),
                name="lineattribute-detail",
            ),
            path("products/", ProductListApi.as_view(), name="product-list"),
            path("products/<int:pk>/", ProductDetailApi.as_view(), name="product-detail"),
            path("products/<int:pk>/price/", ProductPriceApi.as_view(), name="product-price"),
            path(
                "products/<int:pk>/availability/",
                ProductAvailabilityApi.as_view(),
                name="product-availability",
            ),
            path(
                "products/<int:pk>/stockrecords/",
                ProductStockRecordsApi.as_view(),
                name="product-stockrecords",
            ),
            path(
                "products/<int:product_pk>/stockrecords/<int:pk>/",
                ProductStockRecordApi.as_view(),
                name="product-stockrecord-detail",
            ),
            path("options/<int:pk>/", basic.OptionDetail.as_view(), name="option-detail"),
            path("users/<int:pk>/", login.UserDetail.as_view(), name="user-detail"),
            *(path(route, _closed(message)) for route, message in CLOSED.items()),
        ]
    ),
]
