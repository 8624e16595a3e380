"""``POST /api/shop/basket/add-product/``, answered before oscar-api's own view of that path.

oscar-api's ``AddProductView`` does the work (same body, same basket in the answer); this
subclass refuses, in the error shape, what a shop of digital goods must not sell:

- an unknown product (404 ``unknown_product``; a malformed ``url`` is a 400),
- a quantity other than 1 (400 ``bad_quantity``),
- an option the product does not declare, or one only the server sets (400 ``option_not_offered``:
  a consultation hold's ``booking_hold`` option is what confirms a booking, see
  ``shop.basket.server_lines``), and a product only the server puts in a basket (400 ``not_addable``:
  a consultation is held through ``POST /api/v1/booking/holds/``),
- a withdrawn product (409 ``item_unavailable``),
- a product already in the basket (409 ``already_in_basket``),
- something the shopper already owns, on its own, through a course or a bundle, in either
  language, or by a staff grant (409 ``already_owned``; ``shop.access.selectors.ownership`` decides).

A course or bundle that holds something the shopper owns is added, and the answer's ``warnings``
say what overlaps (``overlaps_owned``). Anonymous visitors own nothing.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from oscarapi.serializers.basket import BasketSerializer
from oscarapi.serializers.product import AddProductSerializer as OscarApiAddProductSerializer
from oscarapi.views.basket import AddProductView
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ERROR
from core.errors import ApiError
from core.locale import resolve_locale
from shop.basket import server_lines
from shop.basket.services import basket_add_checks, basket_product_add

QUANTITY_MESSAGE = "A digital item is bought once; its quantity is 1."
OPTION_NOT_OFFERED = "This product takes no such option."
NOT_ADDABLE = "This item is not added to a basket directly; a consultation is booked by holding a time."


def _refusal(errors: dict[str, list]) -> ApiError:
    url_codes = {getattr(error, "code", None) for error in errors.get("url", [])}
    if "does_not_exist" in url_codes:
        return ApiError("unknown_product", "There is no such product.", status=404, fields=errors)
    if set(errors) == {"quantity"}:
        return ApiError("bad_quantity", QUANTITY_MESSAGE, status=400, fields=errors)
    codes = {getattr(error, "code", None) for messages in errors.values() for error in messages}
    if "not_addable" in codes:
        return ApiError("not_addable", NOT_ADDABLE, status=400, fields=errors)
    if "option_not_offered" in codes:
        return ApiError("option_not_offered", OPTION_NOT_OFFERED, status=400, fields=errors)
    return ApiError("invalid", "Some fields are not valid.", status=400, fields=errors)


class AddProductSerializer(OscarApiAddProductSerializer):
    """oscar-api's body, ``{"url": ".../api/shop/products/<pk>/", "quantity": 1}``."""

    def validate_quantity(self, value: int) -> int:
        if value != 1:
            raise serializers.ValidationError(QUANTITY_MESSAGE, code="bad_quantity")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Oscar would put any option on any product; a line's options are the product's own, and
        # never one only the server sets (a hold's id claims a booking when the line is paid).
        product = attrs["url"]
        if server_lines.product_is_server_only(product):
            raise serializers.ValidationError({"url": [NOT_ADDABLE]}, code="not_addable")
        options = [value["option"] for value in attrs.get("options", [])]
        declared = set(product.options.values_list("pk", flat=True)) if options else set()
        refused = sorted(
            option.code
            for option in options
            if option.pk not in declared or server_lines.option_is_server_only(option.code)
        )
        if refused:
            message = f"{OPTION_NOT_OFFERED} ({', '.join(refused)})"
            raise serializers.ValidationError({"options": [message]}, code="option_not_offered")
        return attrs

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        # oscar-api answers a bad body with a 406 of its own; raising lets our handler answer it
        # with the right status (404 for a product that does not exist) in the error shape.
        if not super().is_valid():
            raise _refusal(self.errors)
        return True


class BasketWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["overlaps_owned"])
    message = serializers.CharField()
    items = serializers.ListField(
        child=serializers.DictField(), help_text='[{"id": translation key, "type": "video|course", "title"}]'
    )


class BasketWithWarningsSerializer(BasketSerializer):
    """oscar-api's basket, and what the shopper should know about what was just added."""

    warnings = BasketWarningSerializer(many=True)

    class Meta(BasketSerializer.Meta):
        fields = [*BasketSerializer.Meta.fields, "warnings"]


class BasketAddProductApi(AddProductView):
    add_product_serializer_class = AddProductSerializer

    def validate(self, basket, product, quantity, options) -> tuple[bool, str | None]:
        """oscar-api's hook, answered by the shop's checks (``shop.basket.services``)."""
        basket_add_checks(
            basket=basket, product=product, user=self.request.user, locale=resolve_locale(self.request)
        )
        return True, None

    @extend_schema(
        operation_id="basket_add_product",
        request=OscarApiAddProductSerializer,
        responses={
            200: BasketWithWarningsSerializer,
            400: OpenApiResponse(
                ERROR.response,
                description="`bad_quantity`, a malformed `url`, `option_not_offered` (an option the "
                "product does not declare) or `not_addable` (a consultation: hold a time instead)",
            ),
            404: OpenApiResponse(ERROR.response, description="`unknown_product`"),
            409: OpenApiResponse(
                ERROR.response,
                description="`item_unavailable`, `already_in_basket`, or `already_owned` (with "
                "`owned_through`: the courses, bundles or purchases that already give it)",
            ),
        },
        description="Put one product into the caller's basket (anonymous visitors have one too) and "
        "answer the basket, as oscar-api does. `quantity` must be 1. A course or bundle that "
        "holds something the caller already owns is added with a warning `overlaps_owned` "
        "naming those items (a course owned is named once, not with its lessons).",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        parsed = self.add_product_serializer_class(data=request.data, context={"request": request})
        parsed.is_valid()  # raises in the error shape
        basket, warnings = basket_product_add(
            request=request,
            product=parsed.validated_data["url"],
            quantity=parsed.validated_data["quantity"],
            options=parsed.validated_data.get("options", []),
        )
        data = self.serializer_class(basket, context={"request": request}).data
        return Response({**data, "warnings": warnings})
