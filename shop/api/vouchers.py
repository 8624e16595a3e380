"""``POST /api/shop/basket/add-voucher/``, answered before oscar-api's own view of that path.

Same body (``{"vouchercode": "..."}``) and same answer (the voucher) as oscar-api's
``AddVoucherView``, but every refusal says why in the error shape with its own code
(``shop.checkout.vouchers``), instead of oscar-api's one 406. Taking a code off the basket stays
oscar-api's (``basket/vouchers/<pk>/``).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from oscarapi.basket import operations
from oscarapi.serializers.basket import VoucherSerializer
from oscarapi.views.basket import AddVoucherView
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from core.api import ERROR
from core.http import client_ip
from shop.checkout import vouchers


class VoucherAddSerializer(serializers.Serializer):
    vouchercode = serializers.CharField(max_length=128, help_text="The code, in any case.")


class VoucherAttemptThrottle(SimpleRateThrottle):
    """Codes are short secrets: a few tries a minute per shopper (or address) is all anyone needs.
    The address is the one our proxies saw (``core.http``), never one the guesser wrote."""

    scope = "voucher_attempts"
    rate = "30/minute"

    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if request.user.is_authenticated else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class BasketVoucherAddApi(AddVoucherView):
    throttle_classes = [VoucherAttemptThrottle]

    @extend_schema(
        operation_id="basket_add_voucher",
        request=VoucherAddSerializer,
        responses={
            200: VoucherSerializer,
            400: OpenApiResponse(ERROR.response, description="`invalid`: no `vouchercode`"),
            401: OpenApiResponse(
                ERROR.response,
                description="`voucher_login_required`: a once-per-customer code needs a logged-in shopper",
            ),
            404: OpenApiResponse(ERROR.response, description="`voucher_not_found`"),
            409: OpenApiResponse(
                ERROR.response,
                description="`voucher_used` (a single-use code taken, this customer's use taken, or "
                "all of its uses taken) or `voucher_already_applied`",
            ),
            422: OpenApiResponse(
                ERROR.response,
                description="`voucher_expired` (with `ended_at`), `voucher_not_started` (with "
                "`starts_at`), or `voucher_not_applicable`: the message says what would make it "
                "apply, and `applies_to` what it discounts (`name`, `everything`, "
                "`product_classes`, `items`)",
            ),
            429: OpenApiResponse(ERROR.response, description="`rate_limited`: too many tries"),
        },
        description="Put a discount code on the caller's basket (anonymous visitors have one too). "
        "It is kept only if it gives a discount on this basket; the basket's prices then include "
        "it. Answers the voucher, as oscar-api does.",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        body = VoucherAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        voucher = vouchers.voucher_for_code(body.validated_data["vouchercode"])
        basket = operations.get_basket(request)
        vouchers.voucher_apply(basket=basket, voucher=voucher, request=request)
        return Response(self.serializer_class(voucher, context={"request": request}).data)
