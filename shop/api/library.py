"""``GET /api/v1/me/library/``: the shopper's library, paginated (assembled by
``shop.access.library.library_page``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.views import PersonalApi
from core.api import ERROR
from core.locale import resolve_locale
from core.pagination import PageNumberPagination
from shop.access.library import library_page
from shop.api.serializers import LibraryQuerySerializer, LibrarySerializer


class LibraryApi(PersonalApi):
    @extend_schema(
        operation_id="me_library",
        parameters=[LibraryQuerySerializer],
        responses={200: LibrarySerializer, 400: ERROR, 401: ERROR},
        description="The videos the caller may watch through purchases (on their own, in a course, "
        "in a bundle) and staff grants, alphabetically and paginated, each with what gives it; "
        "and the courses and bundles they own. A subscriber's library also lists every video included "
        "in the subscription (source `subscription`) while the subscription gives access. "
        "Titles in `?locale=` (else Accept-Language, else "
        "de), German where no translation exists (`locale` says which was served). Free videos "
        "are not listed. A video's `progress` is null until the player reports some; a course's "
        "counts its completed lessons and names the next one.",
    )
    def get(self, request: Request) -> Response:
        LibraryQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        paginator = PageNumberPagination()
        page = library_page(
            request.user,
            locale=resolve_locale(request),
            paginate=lambda rows: paginator.paginate_queryset(rows, request, view=self),
        )
        response = paginator.get_paginated_response(page.videos)
        response.data["courses"] = page.courses
        response.data["bundles"] = page.bundles
        return response
