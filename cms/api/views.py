"""The public catalogue API (../shared/API.md): lists and details of videos, courses and
bundles, and categories. Thin: validate the query, call a selector, build items."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cms import selectors
from cms.api import items
from cms.api import serializers as s
from cms.catalog_cache import catalog_cacheable
from cms.models import BundlePage, CoursePage, VideoPage
from core.locale import SUPPORTED, resolve_locale
from core.pagination import PageNumberPagination
from media_pipeline.playback import preview_playlist_url

LOCALE_PARAMETER = OpenApiParameter(
    "locale",
    str,
    enum=list(SUPPORTED),
    description="else Accept-Language, else de; missing translations fall back to de",
)


def paginated(item_serializer: type[serializers.Serializer]) -> serializers.Serializer:
    return inline_serializer(
        f"Paginated{item_serializer.__name__.removesuffix('Serializer')}List",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )


class PublicCatalogApi(APIView):
    """Public and cacheable: no authentication, so no session is read."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def query(self, request: Request, serializer_class) -> dict:
        query = serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def served_page(self, request: Request, model, slug: str, extra=("description",)) -> tuple[dict, str]:
        """The served row of the page with ``slug`` and the locale asked for; 404 if none."""
        self.query(request, s.LocaleQuerySerializer)
        locale = resolve_locale(request)
        row = selectors.page_by_slug(model, slug=slug, locale=locale, extra=extra)
        if row is None:
            raise Http404
        return row, locale


class CatalogListApi(PublicCatalogApi):
    query_serializer = s.CatalogQuerySerializer
    selector = staticmethod(selectors.bundles_for_catalog)
    item = staticmethod(items.bundle_item)
    context_options: dict = {}

    def get(self, request: Request) -> Response:
        params = self.query(request, self.query_serializer)
        locale = resolve_locale(request)
        filter_names = selectors.CatalogFilters.__dataclass_fields__
        filters = selectors.CatalogFilters(**{k: v for k, v in params.items() if k in filter_names})
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(self.selector(locale=locale, filters=filters), request, view=self)
        context = items.Context.for_rows(rows, **self.context_options)
        return paginator.get_paginated_response([self.item(row, context) for row in rows])


@catalog_cacheable
class VideoListApi(CatalogListApi):
    query_serializer = s.VideoQuerySerializer
    selector = staticmethod(selectors.videos_for_catalog)
    item = staticmethod(items.video_item)

    @extend_schema(parameters=[s.VideoQuerySerializer], responses=paginated(s.VideoItemSerializer))
    def get(self, request: Request) -> Response:
        return super().get(request)


@catalog_cacheable
class CourseListApi(CatalogListApi):
    query_serializer = s.CategorizedQuerySerializer
    selector = staticmethod(selectors.courses_for_catalog)
    item = staticmethod(items.course_item)
    context_options = {"lessons": True}

    @extend_schema(parameters=[s.CategorizedQuerySerializer], responses=paginated(s.CourseItemSerializer))
    def get(self, request: Request) -> Response:
        return super().get(request)


@catalog_cacheable
class BundleListApi(CatalogListApi):
    context_options = {"bundle_items": True}

    @extend_schema(parameters=[s.CatalogQuerySerializer], responses=paginated(s.BundleItemSerializer))
    def get(self, request: Request) -> Response:
        return super().get(request)


def _description(row: dict) -> str:
    return str(row["description"])


def _preview_url(row: dict) -> str | None:
    """The free preview's playlist where the editor turned it on and a video is uploaded. The URL
    is stable (it serves whichever run is published), so the cached answer stays right; until
    processing is done it answers 409 ``video_not_ready``."""
    if not (row["free_preview"] and row["video"]):
        return None
    return preview_playlist_url(row["translation_key"])


@catalog_cacheable
class VideoDetailApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=s.VideoDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        video, locale = self.served_page(request, VideoPage, slug, extra=("description", "chapters", "video"))
        courses = selectors.containing(CoursePage, video["translation_key"], locale)
        bundles = selectors.containing(BundlePage, video["translation_key"], locale)
        related = selectors.related_videos(video, locale)
        context = items.Context.for_rows(
            [video, *courses, *bundles, *related], lessons=True, bundle_items=True
        )
        return Response(
            {
                **items.video_item(video, context),
                "description": _description(video),
                "chapters": [block["value"] for block in video["chapters"].raw_data],
                "preview_url": _preview_url(video),
                "courses": [items.course_item(row, context) for row in courses],
                "bundles": [items.bundle_item(row, context) for row in bundles],
                "related": [items.video_item(row, context) for row in related],
            }
        )


@catalog_cacheable
class CourseDetailApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=s.CourseDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        course, locale = self.served_page(request, CoursePage, slug)
        keys = selectors.keys_for_page_ids(selectors.lesson_ids(course))
        lessons = selectors.served_by_key(VideoPage, keys.values(), locale, selectors.VIDEO_FIELDS)
        context = items.Context.for_rows([course, *lessons.values()], lessons=True)
        sections = [
            {
                "title": section["value"]["title"],
                "lessons": [
                    items.video_item(lessons[keys[pk]], context)
                    for pk in selectors.list_block_values(section["value"]["lessons"])
                    if pk in keys and keys[pk] in lessons
                ],
            }
            for section in course["sections"].raw_data
        ]
        return Response(
            {**items.course_item(course, context), "description": _description(course), "sections": sections}
        )


@catalog_cacheable
class BundleDetailApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=s.BundleDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        bundle, locale = self.served_page(request, BundlePage, slug)
        keys = selectors.keys_for_page_ids(items.bundle_item_ids(bundle))
        videos = selectors.served_by_key(VideoPage, keys.values(), locale, selectors.VIDEO_FIELDS)
        courses = selectors.served_by_key(CoursePage, keys.values(), locale, selectors.COURSE_FIELDS)
        context = items.Context.for_rows(
            [bundle, *videos.values(), *courses.values()], lessons=True, bundle_items=True
        )
        entries = []
        for block in bundle["items"].raw_data:
            key = keys.get(block["value"])
            if key in videos:
                entries.append({"type": "video", "item": items.video_item(videos[key], context)})
            elif key in courses:
                entries.append({"type": "course", "item": items.course_item(courses[key], context)})
        return Response(
            {**items.bundle_item(bundle, context), "description": _description(bundle), "items": entries}
        )


@catalog_cacheable
class CategoryListApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=paginated(s.CategorySerializer))
    def get(self, request: Request) -> Response:
        self.query(request, s.LocaleQuerySerializer)
        locale = resolve_locale(request)
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            selectors.categories_for_catalog(locale=locale), request, view=self
        )
        translations = selectors.category_translations(row["translation_key"] for row in rows)
        return paginator.get_paginated_response([items.category_item(row, translations) for row in rows])
