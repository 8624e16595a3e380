"""Caching of the public catalogue.

One version string, kept in the shared cache, stands for "the catalogue as it is now"; every
publish, unpublish, move or delete of a page and every change of a category replaces it. An
ETag is the version plus what the request asked for, so a revalidation (``If-None-Match``) is
answered 304 from the cache alone, without touching the database, until an editor publishes.
The answer itself is kept under its ETag too: a second shopper asking the same question gets
the stored bytes. A new version makes every stored answer unreachable (they expire on their own).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition

from core.errors import ApiError
from core.locale import resolve_locale

T = TypeVar("T")

VERSION_KEY = "cms:catalog-version"


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A cache that lost the key (restart, eviction) starts a new version: never a stale 304.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def catalog_cache_invalidate() -> None:
    """Replace the catalogue version now, and again when the change commits: a request that read
    the old rows in between would otherwise keep what it computed under the new version (for the
    catalogue answers and for the shop's holdings map that access decisions read)."""
    _version_replace()
    transaction.on_commit(_version_replace)


def _version_replace() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def catalog_cached(name: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """``compute()``'s value for the current catalogue version, computed once per version."""
    key = f"cms:catalog:{catalog_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout or settings.CATALOG_RESPONSE_CACHE_SECONDS)
    return value


def catalog_etag(request, *args, **kwargs) -> str | None:
    if not hasattr(request, "_catalog_etag"):
        try:
            locale = resolve_locale(request)
        except ApiError:
            request._catalog_etag = None  # the view answers 400
        else:
            fingerprint = f"{catalog_version()}|{locale}|{request.get_full_path()}"
            request._catalog_etag = hashlib.blake2b(fingerprint.encode(), digest_size=12).hexdigest()
    return request._catalog_etag


def _stored_answers(view):
    """Answer from the bytes stored under the request's ETag, or compute and store them."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        etag = catalog_etag(request) if request.method in ("GET", "HEAD") else None
        if etag is None:
            return view(request, *args, **kwargs)
        key = f"cms:catalog-answer:{etag}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response.render()
            cache.set(
                key, (response.content, response["Content-Type"]), settings.CATALOG_RESPONSE_CACHE_SECONDS
            )
        return response

    return wrapped


def _cache_headers(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=settings.CATALOG_CACHE_MAX_AGE)
            patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapped


def catalog_cacheable(view_class):
    """Class decorator for public catalogue views: ETag, 304, stored answers, Cache-Control, Vary."""
    dispatch = method_decorator(_stored_answers)(view_class.dispatch)
    dispatch = method_decorator(condition(etag_func=catalog_etag))(dispatch)
    view_class.dispatch = method_decorator(_cache_headers)(dispatch)
    return view_class
