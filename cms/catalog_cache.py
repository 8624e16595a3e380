"""HTTP caching of the public catalogue.

One version string, kept in the shared cache, stands for "the catalogue as it is now"; every
publish, unpublish, move or delete of a page and every change of a category replaces it. An
ETag is the version plus what the request asked for, so a revalidation (``If-None-Match``) is
answered 304 from the cache alone, without touching the database, until an editor publishes.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition

from config.errors import ApiError

VERSION_KEY = "cms:catalog-version"


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A cache that lost the key (restart, eviction) starts a new version: never a stale 304.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def catalog_cache_invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def catalog_etag(request, *args, **kwargs) -> str | None:
    from config.api.locale import resolve_locale

    try:
        locale = resolve_locale(request)
    except ApiError:
        return None  # the view answers 400
    fingerprint = f"{catalog_version()}|{locale}|{request.get_full_path()}"
    return hashlib.blake2b(fingerprint.encode(), digest_size=12).hexdigest()


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
    """Class decorator for public catalogue views: ETag, 304, Cache-Control, Vary."""
    view_class.dispatch = method_decorator(_cache_headers)(
        method_decorator(condition(etag_func=catalog_etag))(view_class.dispatch)
    )
    return view_class
