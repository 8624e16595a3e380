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

from cms.api import items
from cms.api import serializers as s
from cms.catalog_cache import catalog_cacheable
from cms.selectors import detail as details
from cms.selectors import listings
from core.locale import SUPPORTED, resolve_locale
from core.pagination import PageNumberPagination

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

    def detail(self, request: Request, selector, slug: str):
        """What ``selector`` reads for the page with ``slug`` in the locale asked for; 404 if none."""
        self.query(request, s.LocaleQuerySerializer)
        found = selector(slug=slug, locale=resolve_locale(request))
        if found is None:
            raise Http404
        return found


class CatalogListApi(PublicCatalogApi):
    query_serializer = s.CatalogQuerySerializer
    selector = staticmethod(listings.bundles_for_catalog)
    item = staticmethod(items.bundle_item)
    context_options: dict = {}

    def get(self, request: Request) -> Response:
        params = self.query(request, self.query_serializer)
        locale = resolve_locale(request)
        filter_names = listings.CatalogFilters.__dataclass_fields__
        filters = listings.CatalogFilters(**{k: v for k, v in params.items() if k in filter_names})
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(self.selector(locale=locale, filters=filters), request, view=self)
        context = items.Context.for_rows(rows, **self.context_options)
        return paginator.get_paginated_response([self.item(row, context) for row in rows])


@catalog_cacheable
class VideoListApi(CatalogListApi):
    query_serializer = s.VideoQuerySerializer
    selector = staticmethod(listings.videos_for_catalog)
    item = staticmethod(items.video_item)

    @extend_schema(parameters=[s.VideoQuerySerializer], responses=paginated(s.VideoItemSerializer))
    def get(self, request: Request) -> Response:
        return super().get(request)


@catalog_cacheable
class CourseListApi(CatalogListApi):
    query_serializer = s.CategorizedQuerySerializer
    selector = staticmethod(listings.courses_for_catalog)
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


@catalog_cacheable
class VideoDetailApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=s.VideoDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(items.video_detail_item(self.detail(request, details.video_detail, slug)))


@catalog_cacheable
class CourseDetailApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=s.CourseDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(items.course_detail_item(self.detail(request, details.course_detail, slug)))


@catalog_cacheable
class BundleDetailApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=s.BundleDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(items.bundle_detail_item(self.detail(request, details.bundle_detail, slug)))


@catalog_cacheable
class CategoryListApi(PublicCatalogApi):
    @extend_schema(parameters=[LOCALE_PARAMETER], responses=paginated(s.CategorySerializer))
    def get(self, request: Request) -> Response:
        self.query(request, s.LocaleQuerySerializer)
        locale = resolve_locale(request)
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(listings.categories_for_catalog(locale=locale), request, view=self)
        return paginator.get_paginated_response(items.category_items(rows))
