"""Query parameters and the documented shapes of the shopper's library and orders (for the
OpenAPI schema; the views build the answers as plain dicts, like the catalogue does)."""

from __future__ import annotations

from rest_framework import serializers

from cms.api.serializers import (
    LocaleQuerySerializer,
    MoneySerializer,
    ThumbnailSerializer,
    TranslationsSerializer,
    VideoItemSerializer,
)
from core.locale import SUPPORTED


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False)


class LibraryQuerySerializer(PageQuerySerializer, LocaleQuerySerializer):
    pass


# ---- The library ------------------------------------------------------------------------------


class LibrarySourceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["purchase", "course", "bundle", "staff", "subscription"],
        help_text="bought on its own, in a course, in a bundle, granted by staff, or included in the "
        "caller's subscription",
    )
    id = serializers.UUIDField(
        allow_null=True, help_text="the translation key of what was bought or granted (null: subscription)"
    )
    item_type = serializers.ChoiceField(choices=["video", "course", "bundle"], allow_null=True)
    title = serializers.CharField(allow_null=True, help_text="in the locale served; null when unpublished")


class VideoProgressSerializer(serializers.Serializer):
    percent = serializers.IntegerField(help_text="share of the video actually played (100 once completed)")
    completed = serializers.BooleanField(help_text="90 % of its seconds actually watched")
    resume_at_seconds = serializers.FloatField(help_text="where playback starts again (0 near the end)")
    watched_seconds = serializers.FloatField()


class CourseProgressSerializer(serializers.Serializer):
    completed_lessons = serializers.IntegerField()
    total_lessons = serializers.IntegerField()
    percent = serializers.IntegerField()
    completed = serializers.BooleanField()
    next_lesson = serializers.UUIDField(
        allow_null=True, help_text="the first lesson not completed, in course order"
    )


class LibraryVideoSerializer(VideoItemSerializer):
    sources = LibrarySourceSerializer(many=True)
    progress = VideoProgressSerializer(allow_null=True, help_text="null until the player reports some")


class LibraryItemRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=["course", "bundle"])
    slug = serializers.CharField()
    title = serializers.CharField()
    thumbnail = ThumbnailSerializer(allow_null=True)
    url_path = serializers.CharField()
    locale = serializers.ChoiceField(choices=SUPPORTED)
    translations = TranslationsSerializer()


class LibraryCourseRefSerializer(LibraryItemRefSerializer):
    progress = CourseProgressSerializer()


class LibrarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LibraryVideoSerializer(many=True, help_text="the videos the shopper may watch, by title")
    courses = LibraryCourseRefSerializer(many=True, help_text="courses owned, directly or in a bundle")
    bundles = LibraryItemRefSerializer(many=True, help_text="bundles owned")


# ---- Orders -----------------------------------------------------------------------------------


class ShopperOrderLineSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="as bought")
    kind = serializers.ChoiceField(choices=["video", "course", "bundle", "consultation"], allow_null=True)
    item_id = serializers.CharField(
        allow_null=True, help_text="the translation key of a video, course or bundle"
    )
    quantity = serializers.IntegerField()
    unit_price = MoneySerializer(help_text="gross, before discounts")
    discount = MoneySerializer(help_text="gross")
    gross = MoneySerializer(help_text="what the line cost, after discounts, VAT included")
    net = MoneySerializer()
    vat = MoneySerializer(help_text="the VAT contained in the gross amount")
    status = serializers.CharField(help_text="pending | paid | cancelled | refunded")


class ShopperOrderDiscountSerializer(serializers.Serializer):
    voucher_code = serializers.CharField(allow_null=True)
    offer_name = serializers.CharField()
    amount = MoneySerializer(help_text="gross")


class ShopperOrderTotalsSerializer(serializers.Serializer):
    net = MoneySerializer()
    vat = MoneySerializer()
    gross = MoneySerializer()
    discount = MoneySerializer(help_text="all discounts together, gross")
    refunded = MoneySerializer(help_text="paid back so far")


class ShopperOrderInvoiceSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=["invoice", "credit_note"])
    issued_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="the PDF")


class ShopperOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    placed_at = serializers.DateTimeField(help_text="ISO 8601, UTC")
    status = serializers.CharField(help_text="pending | paid | cancelled | partially_refunded | refunded")
    lines = ShopperOrderLineSerializer(many=True)
    discounts = ShopperOrderDiscountSerializer(many=True)
    totals = ShopperOrderTotalsSerializer()
    invoices = ShopperOrderInvoiceSerializer(many=True)


class ShopperOrderListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ShopperOrderSerializer(many=True, help_text="newest first")
