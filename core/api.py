"""What every API shares besides the error type (``core.errors``): the error's OpenAPI schema,
the money shape's serializer, and content negotiation for endpoints that answer a file or an
error. The pagination is ``core.pagination``; locales are ``core.locale``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation

# The error shape, ``{"error": {"code", "message", "fields"}}``, as an OpenAPI response.
ERROR = OpenApiResponse(
    inline_serializer(
        "Error",
        {
            "error": inline_serializer(
                "ErrorBody",
                {
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "fields": serializers.DictField(),
                },
            )
        },
    )
)


class MoneySerializer(serializers.Serializer):
    amount = serializers.CharField(help_text='string decimal, e.g. "19.00"')
    currency = serializers.CharField()


class ErrorsAsJson(BaseContentNegotiation):
    """The answer is a file (a PDF, a playlist, a key, a calendar) or a JSON error, whatever the
    client accepts: a browser or a player asking for the file's type gets the error shape, never a
    406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
