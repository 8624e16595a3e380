"""Each report page in a real browser: Debian's Chromium, driven by Playwright through
``executable_path``, against the live test server. The page must draw its chart (Chart.js served
from our static files) and table without a script error, in the German and the English admin;
each test keeps a screenshot (``SCREENSHOT_DIR``, default ``.screenshots/``) to look at.

The browser is not optional: without Chromium these tests fail and say how to install it.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from freezegun import freeze_time

from backoffice.reports import REPORT_SLUGS

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / ".screenshots"))
TODAY = date(2026, 11, 20)
RANGE = {"from": "2025-12-01", "to": "2026-11-20", "grain": "month"}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread for the module's tests; the test
    # database's set-up and flush between them are plain synchronous ORM calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def report_data():
    """A year of a small studio's business: orders, refunds, subscriptions, bookings, viewing."""
    from demo.sample_year import sample_data_create

    with freeze_time("2026-11-20 12:00:00"):
        sample_data_create(customers=60, orders=240, today=TODAY, seed=9)


@pytest.fixture
def admin_cookie(client, second_factor_passed):
    """The session cookie of the demo admin, past the second factor, in the wanted admin language."""
    from demo.accounts import seed_admin

    def cookie(language: str) -> dict:
        admin = seed_admin(password="secret-for-tests")
        profile = admin.wagtail_userprofile if hasattr(admin, "wagtail_userprofile") else None
        if profile is None:
            from wagtail.users.models import UserProfile

            profile = UserProfile.get_for_user(admin)
        profile.preferred_language = language
        profile.save()
        client.force_login(admin)
        second_factor_passed(client, admin)
        return client.cookies["sessionid"].value

    return cookie


def _visit(browser, live_server, session: str, path: str, name: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
    return context, page, response, errors


@pytest.mark.parametrize("slug", REPORT_SLUGS)
def test_report_draws_its_chart_and_table_in_a_browser(browser, live_server, admin_cookie, report_data, slug):
    from urllib.parse import urlencode

    session = admin_cookie("en")
    query = urlencode(RANGE if slug != "videos" else {"from": RANGE["from"], "to": RANGE["to"]})
    context, page, response, errors = _visit(
        browser, live_server, session, f"/admin/backoffice/reports/{slug}/?{query}", f"report-{slug}"
    )
    try:
        assert response.status == 200
        assert errors == []
        # Chart.js drew on the canvas: it registered a chart for it, with the page's data.
        drawn = page.evaluate(
            "() => { const c = window.Chart && Chart.getChart('report-chart');"
            " return c ? c.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1; }"
        )
        assert drawn > 0
        assert page.locator("table.report-table tbody tr").count() > 0
    finally:
        context.close()


def test_a_report_in_the_german_admin(browser, live_server, admin_cookie, report_data):
    session = admin_cookie("de")
    context, page, response, errors = _visit(
        browser,
        live_server,
        session,
        "/admin/backoffice/reports/revenue/?from=2026-01-01&to=2026-11-20&grain=month",
        "report-revenue-de",
    )
    try:
        assert response.status == 200 and errors == []
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("button", name="Anzeigen").count() == 1
        assert page.get_by_text("CSV herunterladen").count() == 1
    finally:
        context.close()


def test_bad_input_shows_the_message_without_script_errors(browser, live_server, admin_cookie):
    session = admin_cookie("en")
    context, page, response, errors = _visit(
        browser,
        live_server,
        session,
        "/admin/backoffice/reports/revenue/?from=2026-11-20&to=2026-01-01",
        "report-revenue-reversed",
    )
    try:
        assert response.status == 400
        # The browser logs the page's own 400; nothing else may fail.
        assert [error for error in errors if "status of 400" not in error] == []
        assert "is after the end" in page.get_by_role("alert").inner_text()
    finally:
        context.close()
