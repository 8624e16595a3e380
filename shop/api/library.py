"""``GET /api/v1/me/library/``: everything the shopper may watch through what they bought or were
given, each video with the purchases or grants that give it.

Free videos are not listed (the catalogue has them; anyone may watch them). The videos come in
the catalogue's item shape, in the requested locale with German as the fallback, plus ``sources``
and ``progress``; the courses and bundles owned come alongside. A constant number of queries
however large the library: the grants, then one query per kind of catalogue row.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import ERROR, PersonalApi
from cms import selectors as catalog
from cms.api import items
from cms.models import BundlePage, CoursePage, frontend_path
from config.api.locale import resolve_locale
from config.api.pagination import PageNumberPagination
from shop import access
from shop.api.serializers import LibraryQuerySerializer, LibrarySerializer
from shop.models import Grant


def _source(source: access.LibrarySource, titles: dict[UUID, str]) -> dict[str, Any]:
    if source.kind == Grant.Source.STAFF:
        kind = "staff"
    else:
        kind = "purchase" if source.item_kind == "video" else source.item_kind
    return {
        "type": kind,
        "id": str(source.item_key),
        "item_type": source.item_kind,
        "title": titles.get(source.item_key),
    }


def _item_ref(row: dict[str, Any], kind: str, context: items.Context) -> dict[str, Any]:
    language = row["locale__language_code"]
    return {
        "id": str(row["translation_key"]),
        "type": kind,
        "slug": row["slug"],
        "title": row["title"],
        "thumbnail": context.thumbnails.get(row["thumbnail_id"]),
        "url_path": frontend_path(row["url_path"], language),
        "locale": language,
        "translations": context.translations.get(row["translation_key"], {}),
    }


def _by_title(rows: dict[UUID, dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows.values(), key=lambda row: (row["title"].casefold(), str(row["translation_key"])))


class LibraryApi(PersonalApi):
    @extend_schema(
        operation_id="me_library",
        parameters=[LibraryQuerySerializer],
        responses={200: LibrarySerializer, 400: ERROR, 401: ERROR},
        description="The videos the caller may watch through purchases (on their own, in a course, "
        "in a bundle) and staff grants, alphabetically and paginated, each with what gives it; "
        "and the courses and bundles they own. Titles in `?locale=` (else Accept-Language, else "
        "de), German where no translation exists (`locale` says which was served). Free videos "
        "are not listed. `progress` is null until watch progress is recorded.",
    )
    def get(self, request: Request) -> Response:
        LibraryQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        locale = resolve_locale(request)
        library = access.library_for(request.user)
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            catalog.videos_by_keys(library.videos, locale=locale), request, view=self
        )
        courses = catalog.served_by_key(CoursePage, library.courses, locale, catalog.COURSE_FIELDS)
        bundles = catalog.served_by_key(BundlePage, library.bundles, locale, catalog.BUNDLE_FIELDS)
        context = items.Context.for_rows([*rows, *courses.values(), *bundles.values()])
        titles = {
            row["translation_key"]: row["title"] for row in (*rows, *courses.values(), *bundles.values())
        }
        results = [
            {
                **items.video_item(row, context),
                "sources": [_source(source, titles) for source in library.videos[row["translation_key"]]],
                "progress": None,
            }
            for row in rows
        ]
        response = paginator.get_paginated_response(results)
        response.data["courses"] = [_item_ref(row, "course", context) for row in _by_title(courses)]
        response.data["bundles"] = [_item_ref(row, "bundle", context) for row in _by_title(bundles)]
        return response


urlpatterns = [path("me/library/", LibraryApi.as_view(), name="me-library")]
