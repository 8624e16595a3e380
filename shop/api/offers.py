"""``GET /api/v1/offers/``: the site offers running now, and whether each applies to the caller.

Public. For a logged-in caller each offer says ``applies_to_you`` (the first-timer offer: no paid
order yet), and the answer is then ``Cache-Control: private``; anonymous callers get ``null``
there and a briefly cacheable public answer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from oscar.apps.offer.models import Benefit, ConditionalOffer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import PERSONAL_AUTHENTICATION
from core.api import ERROR
from core.money import money
from core.pagination import PageNumberPagination
from shop import offers

PUBLIC_MAX_AGE = 60  # seconds: offers start and end on the minute at most

BENEFIT_KINDS = {
    Benefit.PERCENTAGE: "percentage",
    Benefit.FIXED: "amount",
    Benefit.FIXED_UNIT: "amount_per_item",
    Benefit.FIXED_PRICE: "fixed_price",
    Benefit.MULTIBUY: "cheapest_free",
}

MONEY = inline_serializer(
    "OfferMoney", {"amount": serializers.CharField(), "currency": serializers.CharField()}, allow_null=True
)


class AppliesToSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The range's name, as staff named it")
    everything = serializers.BooleanField()
    product_classes = serializers.ListField(
        child=serializers.CharField(), help_text="`video`, `course`, `bundle`"
    )
    items = serializers.ListField(
        child=inline_serializer(
            "OfferItem", {"id": serializers.UUIDField(), "title": serializers.CharField()}
        ),
        help_text="Single catalogue items (`id` is the catalogue id)",
    )


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    benefit = inline_serializer(
        "OfferBenefit",
        {
            "kind": serializers.ChoiceField(choices=[*BENEFIT_KINDS.values(), "other"]),
            "percentage": serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True),
            "amount": MONEY,
        },
    )
    applies_to = AppliesToSerializer()
    starts_at = serializers.DateTimeField(allow_null=True, default_timezone=datetime.UTC)
    ends_at = serializers.DateTimeField(allow_null=True, default_timezone=datetime.UTC)
    first_timer = serializers.BooleanField(help_text="Only for a shopper's first paid order")
    applies_to_you = serializers.BooleanField(
        allow_null=True, help_text="Whether the caller can have it now; null when not logged in"
    )


def _benefit(benefit: Benefit) -> dict[str, Any]:
    kind = BENEFIT_KINDS.get(benefit.type, "other")
    return {
        "kind": kind,
        "percentage": f"{benefit.value:.2f}" if kind == "percentage" and benefit.value is not None else None,
        "amount": money(benefit.value) if kind not in ("percentage", "cheapest_free", "other") else None,
    }


def offer_item(offer: ConditionalOffer, *, user, first_timer_eligible: bool | None) -> dict[str, Any]:
    first_timer = offers.is_first_timer_offer(offer)
    if not user.is_authenticated:
        applies_to_you = None
    elif first_timer:
        applies_to_you = bool(first_timer_eligible)
    else:
        applies_to_you = offer.get_max_applications(user) > 0
    return {
        "id": offer.pk,
        "slug": offer.slug,
        "name": offer.name,
        "description": offer.description,
        "benefit": _benefit(offer.benefit),
        "applies_to": offers.range_applies_to(offer.benefit.range),
        "starts_at": offer.start_datetime,
        "ends_at": offer.end_datetime,
        "first_timer": first_timer,
        "applies_to_you": applies_to_you,
    }


class OfferListApi(APIView):
    authentication_classes = PERSONAL_AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="offers_list",
        responses={
            200: inline_serializer(
                "PaginatedOfferList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": OfferSerializer(many=True),
                },
            ),
            400: OpenApiResponse(ERROR.response, description="A bad `page` or `page_size`"),
        },
        description="The discounts running on the site now (not discount codes): what each gives, "
        "what it applies to and until when. `first_timer` offers are for a shopper's first paid "
        "order. Logged in, `applies_to_you` says whether the caller can have each offer now (and "
        "the answer is private); anonymous, it is null.",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        eligible = offers.first_timer_eligible(user) if user.is_authenticated else None
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(offers.site_offers_for_display(), request, view=self)
        items = [offer_item(offer, user=user, first_timer_eligible=eligible) for offer in page]
        return paginator.get_paginated_response(OfferSerializer(items, many=True).data)

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        elif response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Cookie", "Authorization", "X-Session-Token"])
        return response
