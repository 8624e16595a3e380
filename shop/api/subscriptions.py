"""``/api/v1/subscriptions/`` (plans, subscribe, customer portal) and ``/api/v1/me/subscription/``.

Thin views over ``shop.subscriptions``; errors in the one shape (``core.errors``).
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import PersonalApi
from core.api import ERROR, MoneySerializer
from core.locale import resolve_locale
from core.money import money
from shop.api.checkout import IDEMPOTENCY_KEY
from shop.subscriptions import services
from shop.subscriptions.plans import Plan, plans_by_price, plans_for, yearly_saving
from shop.subscriptions.state import SUBSCRIBE, subscription_current

PUBLIC_MAX_AGE = 60


class PlanSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="the plan's id (the same in every language)")
    name = serializers.CharField()
    summary = serializers.CharField()
    interval = serializers.ChoiceField(choices=["month", "year"])
    price = MoneySerializer(help_text="gross per interval, VAT included")
    price_per_month = MoneySerializer()
    locale = serializers.CharField(help_text="the language served (German where untranslated)")

    def to_representation(self, plan: Plan) -> dict:
        return {
            "id": str(plan.id),
            "name": plan.name,
            "summary": plan.summary,
            "interval": plan.interval,
            "price": money(plan.amount, plan.currency),
            "price_per_month": money(plan.per_month, plan.currency),
            "locale": plan.locale,
        }


class SavingSerializer(serializers.Serializer):
    amount = MoneySerializer(help_text="twelve monthly payments minus one yearly payment")
    percent = serializers.IntegerField()


class PlanListSerializer(serializers.Serializer):
    results = PlanSerializer(many=True)
    yearly_saving = SavingSerializer(allow_null=True, help_text="null unless both plans are offered")


class PlanListApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="subscription_plans",
        responses={200: PlanListSerializer},
        description="The monthly and yearly plans on offer with their prices (from Stripe), in "
        "`?locale=` (else Accept-Language, else de), and what paying yearly saves.",
    )
    def get(self, request: Request) -> Response:
        plans = plans_for(resolve_locale(request))
        saving = yearly_saving(plans)
        currency = plans[0].currency if plans else "EUR"
        return Response(
            {
                "results": PlanSerializer(plans, many=True).data,
                "yearly_saving": {"amount": money(saving.amount, currency), "percent": saving.percent}
                if saving
                else None,
            }
        )

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Accept-Language"])
        return response


class SubscribeSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="a plan's `id` from the plan list")


class RedirectSerializer(serializers.Serializer):
    url = serializers.URLField()


class SubscriptionCheckoutApi(PersonalApi):
    @extend_schema(
        operation_id="subscription_checkout",
        parameters=[IDEMPOTENCY_KEY],
        request=SubscribeSerializer,
        responses={
            201: RedirectSerializer,
            400: OpenApiResponse(ERROR.response, description="`unknown_plan`, `invalid`"),
            401: ERROR,
            409: OpenApiResponse(
                ERROR.response,
                description="`already_subscribed`, with `portal` (the endpoint that opens the "
                "customer portal) and the subscription's `status`",
            ),
            502: OpenApiResponse(ERROR.response, description="`payment_provider_unavailable`"),
            503: OpenApiResponse(ERROR.response, description="`payments_not_configured`"),
        },
        description="Where to subscribe to a plan: a Stripe Checkout page in subscription mode for "
        "the caller's Stripe customer (made once per shopper). A shopper's first subscription gets "
        "the first-timer trial or coupon when one is configured. Access starts when Stripe "
        "confirms the subscription (its webhook); `GET /api/v1/me/subscription/` tells.",
    )
    def post(self, request: Request) -> Response:
        body = SubscribeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        redirect = services.subscription_checkout_start(
            user=request.user,
            plan_id=body.validated_data["plan"],
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
        )
        return Response({"url": redirect.url}, status=201)


class SubscriptionPortalApi(PersonalApi):
    @extend_schema(
        operation_id="subscription_portal",
        request=None,
        responses={
            201: RedirectSerializer,
            401: ERROR,
            404: OpenApiResponse(ERROR.response, description="`no_subscription`: nothing to manage yet"),
            502: OpenApiResponse(ERROR.response, description="`payment_provider_unavailable`"),
        },
        description="A Stripe customer portal page for the caller (switch plan, cancel, resume, "
        "change card, invoices). The URL works once and for a short time: open it at once.",
    )
    def post(self, request: Request) -> Response:
        redirect = services.subscription_portal_start(user=request.user)
        return Response({"url": redirect.url}, status=201)


class MySubscriptionSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="Stripe's status (`active`, `trialing`, `past_due`, `canceled`, `unpaid`, "
        "`incomplete`, ...) or `none`"
    )
    plan = PlanSerializer(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()
    access = serializers.BooleanField(help_text="whether included videos may be watched now")
    access_until = serializers.DateTimeField(
        allow_null=True, help_text="when access ends unless the subscription renews (grace included)"
    )
    next_action = serializers.ChoiceField(
        choices=["none", "subscribe", "update_payment_method", "resume", "complete_payment"],
        help_text="`update_payment_method` (a renewal failed: open the portal), `resume` (set to "
        "end at the period's end: the portal can undo it), `subscribe`, `complete_payment`",
    )
    portal = serializers.CharField(allow_null=True, help_text="the endpoint that opens the customer portal")


class MySubscriptionApi(PersonalApi):
    @extend_schema(
        operation_id="me_subscription",
        responses={200: MySubscriptionSerializer, 401: ERROR},
        description="The caller's subscription: plan, status, period end, whether it ends then, "
        "whether it gives access now, and what to do next. `status` `none` when there is none.",
    )
    def get(self, request: Request) -> Response:
        current = subscription_current(request.user)
        locale = resolve_locale(request)
        date = serializers.DateTimeField()
        if current is None:
            return Response(
                {
                    "status": "none",
                    "plan": None,
                    "current_period_end": None,
                    "cancel_at_period_end": False,
                    "access": False,
                    "access_until": None,
                    "next_action": SUBSCRIBE,
                    "portal": None,
                }
            )
        plan = plans_by_price([current.price_id], locale).get(current.price_id)
        access_until = current.access_until()
        return Response(
            {
                "status": current.status,
                "plan": PlanSerializer(plan).data if plan else None,
                "current_period_end": date.to_representation(current.period_end)
                if current.period_end
                else None,
                "cancel_at_period_end": current.ends_at_period_end,
                "access": current.gives_access(),
                "access_until": date.to_representation(access_until) if access_until else None,
                "next_action": current.next_action(),
                "portal": services.portal_path(),
            }
        )
