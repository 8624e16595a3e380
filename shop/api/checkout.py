"""``/api/v1/checkout/``: turn the basket into an order and a way to pay it; the return page's status.

Thin views over ``shop.checkout.services``; errors in the one shape (``core.errors``).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import PersonalApi
from core.api import ERROR, MoneySerializer
from core.money import money
from shop.checkout import services as checkout
from shop.checkout.services import CheckoutState


class CheckoutStartSerializer(serializers.Serializer):
    expected_total = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text='The basket total the shopper saw (gross, e.g. "48.99"); if the basket now costs '
        "something else the answer is 409 `basket_changed` with the current `total`.",
    )


class CheckoutStateSerializer(serializers.Serializer):
    order_number = serializers.CharField()
    status = serializers.CharField(
        help_text="`pending`, `paid` or `failed`: `paid` also for an order refunded later; `failed` "
        "when the payment failed or the checkout lapsed or was cancelled (the basket is back then).",
    )
    order_status = serializers.CharField(
        help_text="The order's own status: `pending`, `paid`, `cancelled`, `partially_refunded`, `refunded`."
    )
    total = MoneySerializer()
    checkout_url = serializers.URLField(
        allow_null=True,
        help_text="Where to send the shopper: Stripe's payment page (or, with nothing to pay, the "
        "front end's page for the order). In a status answer only while the order can be paid.",
    )
    expires_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, state: CheckoutState) -> dict:
        return {
            "order_number": state.order_number,
            "status": state.status,
            "order_status": state.order_status,
            "total": money(state.total, state.currency),
            "checkout_url": state.checkout_url,
            "expires_at": serializers.DateTimeField().to_representation(state.expires_at)
            if state.expires_at
            else None,
        }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (≤ 255 characters). The same key with the same body gives the "
    "first answer again and places no second order; with another body it is a 409 "
    "`idempotency_key_reused`.",
)


class CheckoutStartApi(PersonalApi):
    @extend_schema(
        operation_id="checkout_start",
        parameters=[IDEMPOTENCY_KEY],
        request=CheckoutStartSerializer,
        responses={
            201: CheckoutStateSerializer,
            400: ERROR,
            401: ERROR,
            409: OpenApiResponse(
                ERROR.response,
                description="`basket_changed` (with `total`), `basket_frozen`, `item_unavailable`, "
                "`voucher_used`, `idempotency_key_reused`",
            ),
            422: OpenApiResponse(ERROR.response, description="`basket_empty`, `total_below_minimum`"),
            502: OpenApiResponse(
                ERROR.response, description="`payment_provider_unavailable`: nothing was made"
            ),
            503: OpenApiResponse(ERROR.response, description="`payments_not_configured`"),
        },
        description="Turn the caller's basket (offers and vouchers applied) into an order waiting for "
        "payment and return where to pay it: a Stripe Checkout page whose lines are the order's "
        "lines after discounts. With nothing to pay the order is paid at once (`status` `paid`). "
        "The basket is frozen until the order is paid, or given back when the payment fails, the "
        "page lapses or the shopper cancels.",
    )
    def post(self, request: Request) -> Response:
        body = CheckoutStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        state = checkout.checkout_start(
            user=request.user,
            basket=checkout.shopper_basket(request),
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
            expected_total=body.validated_data.get("expected_total"),
            request=request,
        )
        return Response(CheckoutStateSerializer(state).data, status=201)


class CheckoutStatusApi(PersonalApi):
    @extend_schema(
        operation_id="checkout_status",
        responses={200: CheckoutStateSerializer, 401: ERROR, 404: ERROR},
        description="The state of one of the caller's orders for the page Stripe sends the shopper "
        "back to; poll it until `status` is no longer `pending` (the payment is confirmed by "
        "Stripe's webhook a moment after the redirect). Other people's orders are 404.",
    )
    def get(self, request: Request, order_number: str) -> Response:
        state = checkout.checkout_status(user=request.user, number=order_number)
        return Response(CheckoutStateSerializer(state).data)


class CheckoutCancelApi(PersonalApi):
    @extend_schema(
        operation_id="checkout_cancel",
        request=None,
        responses={
            200: CheckoutStateSerializer,
            401: ERROR,
            404: ERROR,
            409: OpenApiResponse(
                ERROR.response, description="`checkout_not_cancellable`: paid or ended already"
            ),
            502: ERROR,
        },
        description="The shopper gives up paying (e.g. came back through Stripe's cancel link): the "
        "payment page is closed, the order cancelled and the basket given back at once.",
    )
    def post(self, request: Request, order_number: str) -> Response:
        state = checkout.checkout_cancel(user=request.user, number=order_number)
        return Response(CheckoutStateSerializer(state).data)
