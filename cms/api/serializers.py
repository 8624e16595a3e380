"""Query parameters (validated: bad input is a 400 naming the field) and the documented shapes
of catalogue items (for the OpenAPI schema; ``cms.api.items`` builds them)."""

from rest_framework import serializers

from cms.models import Level
from cms.selectors.listings import category_exists, course_lesson_keys
from core.api import MoneySerializer
from core.locale import SUPPORTED

ACCESS_CHOICES = ["free", "purchase", "subscription"]
COMMON_ORDERINGS = ["library", "title", "-title", "price", "-price", "published", "-published"]


class CatalogQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False)
    locale = serializers.ChoiceField(choices=SUPPORTED, required=False)
    q = serializers.CharField(required=False, max_length=200, allow_blank=True, help_text="search words")
    ordering = serializers.ChoiceField(
        choices=COMMON_ORDERINGS,
        required=False,
        help_text="default: relevance when searching, else library order",
    )
    access = serializers.ChoiceField(choices=ACCESS_CHOICES, required=False)

    def validate_q(self, value: str) -> str | None:
        return value.strip() or None


class CategorizedQuerySerializer(CatalogQuerySerializer):
    category = serializers.SlugField(required=False, help_text="a category's slug")
    level = serializers.ChoiceField(choices=Level.values, required=False)

    def validate_category(self, value: str) -> str:
        if not category_exists(value):
            raise serializers.ValidationError("Unknown category.")
        return value


class VideoQuerySerializer(CategorizedQuerySerializer):
    ordering = serializers.ChoiceField(choices=[*COMMON_ORDERINGS, "duration", "-duration"], required=False)
    course = serializers.SlugField(required=False, help_text="a course's slug: its lessons only")

    def validate_course(self, value: str) -> str:
        if not course_lesson_keys(value):
            raise serializers.ValidationError("Unknown course.")
        return value


class LocaleQuerySerializer(serializers.Serializer):
    locale = serializers.ChoiceField(choices=SUPPORTED, required=False)


# ---- Documented response shapes -------------------------------------------------------------


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ThumbnailSerializer(serializers.Serializer):
    small = RenditionSerializer(required=False)
    medium = RenditionSerializer(required=False)
    large = RenditionSerializer(required=False)


class TranslationsSerializer(serializers.Serializer):
    de = serializers.CharField(required=False)
    en = serializers.CharField(required=False)


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()


class CatalogItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="the translation key: the same in every language")
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    thumbnail = ThumbnailSerializer(allow_null=True)
    price = MoneySerializer(allow_null=True, help_text="gross, VAT included; null when free")
    is_free = serializers.BooleanField()
    included_in_subscription = serializers.BooleanField()
    url_path = serializers.CharField()
    locale = serializers.ChoiceField(choices=SUPPORTED, help_text="the language served")
    translations = TranslationsSerializer(help_text="the languages this item exists in, with their paths")


class VideoItemSerializer(CatalogItemSerializer):
    duration_seconds = serializers.IntegerField()
    category = CategoryRefSerializer(allow_null=True)
    level = serializers.ChoiceField(choices=Level.values)
    has_preview = serializers.BooleanField()


class CourseItemSerializer(CatalogItemSerializer):
    category = CategoryRefSerializer(allow_null=True)
    level = serializers.ChoiceField(choices=Level.values)
    lesson_count = serializers.IntegerField()
    duration_seconds = serializers.IntegerField()


class BundleItemSerializer(CatalogItemSerializer):
    item_count = serializers.IntegerField()
    value = MoneySerializer(help_text="what the items cost singly")
    saving = MoneySerializer()


class ChapterSerializer(serializers.Serializer):
    start_seconds = serializers.IntegerField()
    title = serializers.CharField()


class VideoDetailSerializer(VideoItemSerializer):
    description = serializers.CharField(help_text="HTML")
    chapters = ChapterSerializer(many=True)
    preview_url = serializers.URLField(
        allow_null=True,
        help_text="HLS playlist of the free preview (unencrypted, no login); null when there is none",
    )
    courses = CourseItemSerializer(many=True)
    bundles = BundleItemSerializer(many=True)
    related = VideoItemSerializer(many=True)


class SectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    lessons = VideoItemSerializer(many=True)


class CourseDetailSerializer(CourseItemSerializer):
    description = serializers.CharField(help_text="HTML")
    sections = SectionSerializer(many=True)


class BundleEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["video", "course"])
    item = CatalogItemSerializer()


class BundleDetailSerializer(BundleItemSerializer):
    description = serializers.CharField(help_text="HTML")
    items = BundleEntrySerializer(many=True)


class CategorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    locale = serializers.ChoiceField(choices=SUPPORTED)
    translations = TranslationsSerializer()
