"""A staff member who signed in by password alone reaches nothing but the second-factor page until
the code is entered (issue 16, "Must hold").

The test walks every URL pattern the project resolves (``get_resolver()``, so a dependency upgrade
or a new app is walked too), fills each pattern's parameters with a value its regex accepts, and
asks each path by GET and POST as that session: by the session cookie after Wagtail's login, and by
the same session's key as allauth's ``X-Session-Token``. Only :data:`ALLOWED` may answer with
content; everything else must redirect to ``/staff/2fa/`` or refuse (401/403/404/405).
"""

from __future__ import annotations

import re
import re._parser as sre  # Python's own regex parser: the patterns are turned back into paths
import uuid
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from demo.accounts import seed_admin
from demo.catalogue import seed_site_tree

pytestmark = pytest.mark.django_db

PASSWORD = "secret-for-tests"
# What an unverified staff session may reach (and what may log it out).
ALLOWED = (
    "/staff/2fa/",
    "/admin/login/",
    "/admin/logout/",
    "/admin/jsi18n/",
    "/dashboard/login/",
    "/django-admin/login/",
    "/django-admin/logout/",
    "/static/",
)
REFUSALS = {401, 403, 404, 405}
# Plausible values for parameters by name; anything else gets the shortest value its regex takes.
HINTS = {"pk": "1", "id": "1", "number": "1", "language": "de", "format": "json"}


# ------------------------------------------------------------------------------
# Paths from patterns
# ------------------------------------------------------------------------------
def _in_class(char: str, items) -> bool:
    negate = False
    found = False
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            found |= char == chr(av)
        elif op is sre.RANGE:
            found |= av[0] <= ord(char) <= av[1]
        elif op is sre.CATEGORY:
            found |= bool(re.fullmatch(_CATEGORIES.get(av, "(?!)"), char))
    return found != negate


_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
}


def _emit(nodes, names: dict[int, str], hints: dict[str, str]) -> str:
    out = []
    for op, av in nodes:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append("a" if chr(av) != "a" else "b")
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.IN:
            out.append(next(c for c in "a1x-_.Z~" + "".join(map(chr, range(32, 127))) if _in_class(c, av)))
        elif op is sre.BRANCH:
            out.append(_emit(av[1][0], names, hints))
        elif op is sre.SUBPATTERN:
            group, _add, _del, sub = av
            name = names.get(group)
            out.append(hints[name] if name in hints else _emit(sub, names, hints))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, sub = av
            out.append(_emit(sub, names, hints) * low)
        elif op is sre.ATOMIC_GROUP:
            out.append(_emit(av, names, hints))
        # AT (anchors), ASSERT, ASSERT_NOT: nothing to write
    return "".join(out)


def sample(regex: re.Pattern) -> str:
    """A string ``regex`` matches from its start, with plausible values for named parameters."""
    parsed = sre.parse(regex.pattern, regex.flags)
    names = {number: name for name, number in parsed.state.groupdict.items()}
    hints = {
        name: "1" if name.endswith(("_id", "_pk")) else HINTS[name]
        for name in names.values()
        if name in HINTS or name.endswith(("_id", "_pk"))
    }
    hints |= {name: str(uuid.uuid4()) for name in names.values() if "uuid" in name}
    for attempt in (hints, {}):
        candidate = _emit(parsed, names, attempt)
        if regex.match(candidate):
            return candidate
    raise AssertionError(f"cannot build a path for {regex.pattern!r}")


def project_paths() -> list[str]:
    paths: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            piece = prefix + sample(pattern.pattern.regex)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, piece)
            else:
                paths.add("/" + piece)

    walk(get_resolver().url_patterns, "")
    resolvable = set()
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            continue
        resolvable.add(path)
    return sorted(resolvable)


def test_the_walk_covers_the_project():
    paths = project_paths()
    assert len(paths) > 500  # Wagtail, Oscar's dashboard, the Django admin, allauth, our APIs
    for expected in (
        "/_allauth/browser/v1/account/authenticators/recovery-codes",
        "/_allauth/app/v1/auth/reauthenticate",
        "/api/v1/me/export/",
        "/django-admin/",
        "/dashboard/",
    ):
        assert expected in paths


# ------------------------------------------------------------------------------
# The walk, as a staff session without its second factor
# ------------------------------------------------------------------------------
def is_allowed(path: str) -> bool:
    return path.startswith(ALLOWED)


def leaks(response) -> bool:
    """An answer that is neither a refusal nor the way to the second factor."""
    if response.status_code in REFUSALS:
        return False
    if 300 <= response.status_code < 400:
        return "/staff/2fa/" not in response.get("Location", "")
    if 200 <= response.status_code < 300:
        return bool(getattr(response, "streaming", False) or response.content)
    return True  # a 500 means a view ran


def walk_as(
    client: Client, login, headers: dict[str, str] | None = None, only: tuple[str, ...] = ()
) -> Iterator:
    for path in project_paths():
        if is_allowed(path) or (only and not path.startswith(only)):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path, headers=headers or {})
            yield path, method, response
            login()  # a view that logged the session out must not make later refusals look good


def staff_by_password(client: Client, email: str) -> None:
    if "_auth_user_id" not in client.session:
        response = client.post("/admin/login/", {"username": email, "password": PASSWORD})
        assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.fixture
def admin_with_totp():
    seed_site_tree()
    admin = seed_admin(password=PASSWORD)
    TOTP.activate(admin, generate_totp_secret())
    return admin


@pytest.fixture
def dashboard_user(django_user_model):
    user = django_user_model.objects.create_user(email="haendler@phialo.example", password=PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="dashboard_access"))
    return user


@pytest.mark.parametrize("who", ["admin_with_totp", "dashboard_user"])
def test_a_password_alone_opens_nothing_but_the_second_factor(who, request):
    user = request.getfixturevalue(who)
    client = Client(raise_request_exception=False)
    login = lambda: staff_by_password(client, user.email)  # noqa: E731
    login()
    leaked = [
        f"{method.upper()} {path} -> {response.status_code}"
        for path, method, response in walk_as(client, login)
        if leaks(response)
    ]
    assert not leaked, "\n".join(leaked)


def test_the_password_sessions_key_as_a_token_opens_nothing(admin_with_totp):
    browser = Client(raise_request_exception=False)
    login = lambda: staff_by_password(browser, admin_with_totp.email)  # noqa: E731
    login()
    token = {"X-Session-Token": browser.cookies[settings.SESSION_COOKIE_NAME].value}
    app = Client(raise_request_exception=False)
    leaked = [
        f"{method.upper()} {path} -> {response.status_code}"
        for path, method, response in walk_as(app, login, headers=token, only=("/api/", "/_allauth/"))
        if leaks(response)
    ]
    assert not leaked, "\n".join(leaked)
