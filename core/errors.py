"""One error shape for everything under ``/api/``, and JSON errors under ``/_allauth/``.

``{"error": {"code": "slot_taken", "message": "...", "fields": {...}}}`` with the right status.
Our own code raises :class:`ApiError` (or a DRF exception); DRF views are answered by
:func:`api_exception_handler`; everything else under ``/api/`` that is not already in the shape
(Django's 404 and 500, other libraries' JSON errors, CSRF failures) is rewritten by
:class:`ApiErrorMiddleware`, so the Astro site never sees an HTML error page.

allauth's headless API (``/_allauth/``) keeps allauth's own error shape, which its clients
parse: ``{"status": 404, "errors": [{"code": ..., "message": ...}]}``. Its JSON answers pass
untouched; Django's HTML ones (unknown paths, CSRF failures, 405s) and crashes are answered in
that shape, and a method a view does not implement is a 405 before the view runs (some of
allauth's views failed on one: ``TRACE .../account/phone`` was a 500).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/",)
ALLAUTH_PREFIX = "/_allauth/"

CODES_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "rule_broken",
    429: "rate_limited",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
}
MESSAGES_BY_STATUS = {
    400: "The request is not valid.",
    401: "Authentication is required.",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    429: "Too many requests; try again later.",
    500: "Something went wrong on our side. It has been logged.",
    503: "The service is temporarily unavailable.",
}


class ApiError(Exception):
    """The application's one error type: a code the client can branch on, and a status."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        if status is not None:
            self.status_code = status


def error_body(code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _default_code(status_code: int) -> str:
    return CODES_BY_STATUS.get(status_code, "server_error" if status_code >= 500 else "bad_request")


def _default_message(status_code: int) -> str:
    return MESSAGES_BY_STATUS.get(status_code, "The request could not be completed.")


def _flatten_message(detail: Any) -> str:
    if isinstance(detail, list | tuple):
        return " ".join(_flatten_message(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(_flatten_message(value) for value in detail.values())
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, answering in our shape. Unknown exceptions fall through to Django (500)."""
    if isinstance(exc, ApiError):
        body = error_body(exc.code, exc.message, exc.fields, **exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status_code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = error_body("invalid", "Some fields are not valid.", fields)
    elif isinstance(exc, exceptions.Throttled):
        message = f"Too many requests; try again in {exc.wait:.0f} seconds." if exc.wait else None
        response.data = error_body("rate_limited", message or _default_message(429))
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else _default_code(status_code)
        response.data = error_body(code, _flatten_message(exc.detail))
    return response


def allauth_error_response(status_code: int, allow: str | None = None) -> JsonResponse:
    """An error in allauth's headless shape, for what allauth itself did not answer."""
    error = {"code": _default_code(status_code), "message": _default_message(status_code)}
    response = JsonResponse({"status": status_code, "errors": [error]}, status=status_code)
    if allow:
        response["Allow"] = allow
    return response


def allauth_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Anything under ``/_allauth/`` allauth does not route: a JSON 404, never a slash redirect
    (which fails on a POST) or Wagtail's page server."""
    return allauth_error_response(404)


def _allowed_methods(view_class: type) -> list[str]:
    allowed = [method for method in view_class.http_method_names if hasattr(view_class, method)]
    if "get" in allowed and "head" not in allowed:
        allowed.append("head")  # Django's View answers HEAD with its GET
    return [method.upper() for method in allowed]


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


def _is_shaped(payload: Any) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("error"), dict) and "code" in payload["error"]


def _shape_from_json(payload: Any, status_code: int) -> dict[str, Any]:
    """Wrap another library's JSON error (Wagtail's ``message``, oscar-api's ``reason``, DRF's
    ``detail`` or field errors) without losing what it said."""
    code, message, fields = (
        _default_code(status_code),
        _default_message(status_code),
        {},
    )
    if isinstance(payload, dict):
        for key in ("message", "detail", "reason", "error"):
            if isinstance(payload.get(key), str):
                message = payload[key]
                break
        else:
            fields = payload
            message = _flatten_message(payload) or message
    elif isinstance(payload, list) and payload:
        message = _flatten_message(payload)
    return error_body(code, message, fields)


class ApiErrorMiddleware:
    """Rewrites any error under ``/api/`` that is not in our shape, and any non-JSON error under
    ``/_allauth/`` into allauth's; also catches view exceptions there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400:
            return response
        if request.path_info.startswith(API_PREFIXES):
            return self._reshape(response)
        if request.path_info.startswith(ALLAUTH_PREFIX) and not _is_json(response):
            return allauth_error_response(response.status_code, response.get("Allow"))
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        view_class = getattr(view_func, "view_class", None)
        if view_class is None or not request.path_info.startswith(ALLAUTH_PREFIX):
            return None
        allowed = _allowed_methods(view_class)
        if request.method not in allowed:
            return allauth_error_response(405, ", ".join(allowed))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path_info.startswith(ALLAUTH_PREFIX):
            status_code = 404 if isinstance(exception, Http404) else 403
            if not isinstance(exception, Http404 | PermissionDenied):
                logger.exception("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
                status_code = 500
            return allauth_error_response(status_code)
        if not request.path_info.startswith(API_PREFIXES):
            return None
        if isinstance(exception, Http404):
            return JsonResponse(error_body("not_found", _default_message(404)), status=404)
        if isinstance(exception, PermissionDenied):
            return JsonResponse(error_body("permission_denied", _default_message(403)), status=403)
        logger.exception("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
        return JsonResponse(error_body("server_error", _default_message(500)), status=500)

    def _reshape(self, response: HttpResponse) -> HttpResponse:
        status_code = response.status_code
        payload: Any = None
        if "json" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
            try:
                payload = json.loads(response.content or b"null")
            except ValueError:
                payload = None
            if _is_shaped(payload):
                return response
        body = _shape_from_json(payload, status_code)
        shaped = JsonResponse(body, status=status_code)
        for header in (
            "Allow",
            "Retry-After",
            "WWW-Authenticate",
            "Vary",
            "Cache-Control",
        ):
            if header in response:
                shaped[header] = response[header]
        return shaped
