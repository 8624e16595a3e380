"""Every URL pattern the project resolves is on a committed list saying who may use it
(``url_allowlist.txt``), so no route opens unnoticed: not one of ours, not one a dependency
upgrade brings (Oscar's storefront and oscar-api's ``.json`` twins came in that way, issue 16).

The walk goes through every ``include`` and router, format-suffix variants included, with DEBUG
off (production) and on (what the development server adds). Where the list makes a claim the
code can check, it is checked: ``staff`` routes sit where the second factor guards, ``closed``
ones run no view but a closing one, ``signed-in`` API views require a login, and every route of
``/api/shop/`` answers the same view with and without a format suffix.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import URLResolver, clear_url_caches
from rest_framework.permissions import IsAuthenticated

from config.api.views import api_not_found
from core.errors import allauth_not_found
from shop.oscar_urls import storefront_redirect

ALLOWLIST = Path(__file__).with_name("url_allowlist.txt")
AUDIENCES = {"anyone", "signed-in", "token", "stripe", "staff", "closed", "debug"}
STAFF_PREFIXES = ("admin/", "django-admin/", "dashboard/", "staff/2fa/")
SUFFIX = "<drf_format_suffix:format>"


def walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, Callable]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def routes(*, debug: bool) -> dict[str, Callable]:
    """The project's URL map as the root URLconf builds it with DEBUG ``debug``."""
    import config.urls

    try:
        with override_settings(DEBUG=debug):
            module = importlib.reload(config.urls)
            return dict(walk(module.urlpatterns))
    finally:
        importlib.reload(config.urls)
        clear_url_caches()


def allowlist() -> dict[str, str]:
    allowed = {}
    for line in ALLOWLIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            who, route = line.split(maxsplit=1)
            assert who in AUDIENCES, line
            assert route not in allowed, f"listed twice: {route}"
            allowed[route] = who
    return allowed


@pytest.fixture(scope="module")
def served() -> dict[str, Callable]:
    return routes(debug=True)


def test_every_route_the_project_resolves_is_on_the_allowlist(served):
    allowed = allowlist()
    production = routes(debug=False)

    unlisted = sorted(set(served) - set(allowed))
    gone = sorted(set(allowed) - set(served))
    assert not unlisted, "routes nobody decided on; add each to url_allowlist.txt:\n" + "\n".join(unlisted)
    assert not gone, "listed routes that no longer exist; remove them:\n" + "\n".join(gone)
    debug_only = {route for route, who in allowed.items() if who == "debug"}
    assert set(production) == set(served) - debug_only


def test_staff_routes_sit_behind_the_second_factor(served):
    staff = [route for route, who in allowlist().items() if who == "staff"]

    assert staff
    assert [route for route in staff if not route.startswith(STAFF_PREFIXES)] == []


def _is_closing(view: Callable) -> bool:
    return (
        view in (storefront_redirect, api_not_found, allauth_not_found)
        or view.__qualname__ == "_closed.<locals>.view"
    )


def test_closed_routes_run_no_view_but_a_closing_one(served):
    closed = [route for route, who in allowlist().items() if who == "closed"]

    assert [route for route in closed if not _is_closing(served[route])] == []
    assert any(route.startswith("storefront/accounts/register/") for route in closed)


def test_signed_in_api_routes_require_a_login(served):
    for route, who in allowlist().items():
        view_class = getattr(served[route], "cls", None)
        if who == "signed-in" and view_class is not None:
            assert any(
                issubclass(permission, IsAuthenticated) for permission in view_class.permission_classes
            ), route


def test_oscarapi_routes_answer_the_same_view_with_and_without_a_format_suffix(served):
    shop = {route: view for route, view in served.items() if route.startswith("api/shop/")}
    plain = [route for route in shop if SUFFIX not in route]

    assert plain
    for route in plain:
        # "basket/" has "basket.json"; the root "" has ".json" right after the mount's slash.
        twin = route.removesuffix("/") + SUFFIX if route != "api/shop/" else route + SUFFIX
        assert twin in shop, f"{route} has no {SUFFIX} twin"
        assert shop[twin] is shop[route], route
    assert len(shop) == 2 * len(plain)


@pytest.mark.parametrize(
    "route",
    [
        "api/shop/categories-bulk/",
        "api/shop/admin/users/",
        "api/shop/useraddresses/",
        "api/shop/orders/",
        "accounts/register/",
        "accounts/login/",
        "accounts/profile/edit/",
        "password-reset/",
    ],
)
def test_the_doors_issue_16_found_are_not_routes(served, route):
    assert route not in served
    assert route.removesuffix("/") + SUFFIX not in served
