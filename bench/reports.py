"""``python -m bench.reports``: every back-office report over a year of a busy studio.

The data is :mod:`demo.sample_year` at ``--customers`` (10,000) and ``--orders`` (100,000),
over the 365 days up to today: orders with their lines, checkouts, invoices and credit notes,
about 830 subscriptions with their monthly or yearly Stripe invoices in dj-stripe's mirror, a
consultant's year of bookings, and the viewers' days rolled up per video. Written once (a few
minutes) and kept: a second run finds it by its e-mail domain.

For each report, by week over that year (top videos: the whole year):

- ``<slug>`` — the figures alone: the report built from the query string as the page does, its
  rows, totals and chart data;
- ``<slug>_page`` — ``GET /admin/backoffice/reports/<slug>/`` as a signed-in superuser: the same
  plus the admin page around it; its floor is a bare view answering the same HTML bytes behind
  the same middleware;
- ``<slug>_csv`` — the whole CSV download, streamed and read to the end.

The figures' floor is the least any report over this year must do: one aggregate query summing
the year's paid orders by week (``floor_sql``), measured in the same rounds. Queries count the
statements that read or write data. Writes ``bench/results/reports.json``
(``reports-postgresql.json``) and a chart beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from bench.shop import RESULTS, _chart, _row, _timed

SEED = 1
# The figures must not grow with the data: these are what one request may cost.
BUDGETS = {"revenue": 6, "conversion": 6, "subscribers": 6, "videos": 6, "bookings": 8}


def _html_floor(body: bytes) -> Callable[..., Any]:
    from django.http import HttpResponse

    def floor(request):
        return HttpResponse(body, content_type="text/html; charset=utf-8")

    return floor


def _drained(response) -> int:
    size = sum(len(chunk) for chunk in response.streaming_content)
    assert response.status_code == 200, response.status_code
    return size


def main(rounds: int, warmup: int, customers: int, orders: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.urls import clear_url_caches, path
    from oscar.apps.order.models import Order

    import bench.urls
    from accounts.staff_2fa import VERIFIED_SESSION_KEY
    from backoffice.reports import REPORT_SLUGS
    from backoffice.reports.base import REPORTS, Period, studio_today
    from backoffice.views import report_build
    from demo.accounts import seed_admin
    from demo.sample_year import sample_data_create
    from demo.sample_year.common import DOMAIN
    from shop.statuses import PAID_ORDER_STATUSES

    today = studio_today()
    User = get_user_model()
    present = User.objects.filter(email__endswith=DOMAIN, email__startswith=f"s{SEED}-").count()
    if present == 0:
        started = time.perf_counter()

        def progress(what: str, done: int, total: int) -> None:
            print(f"\r  {what}: {done:,}/{total:,}", end="\n" if done >= total else "", flush=True)

        print(f"writing a year of sample data ({customers:,} shoppers, {orders:,} orders)…")
        sample_data_create(customers=customers, orders=orders, today=today, seed=SEED, progress=progress)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"  written in {time.perf_counter() - started:.0f} s")
    dataset = {
        "customers": User.objects.filter(email__endswith=DOMAIN).count(),
        "orders": Order.objects.count(),
    }

    admin = seed_admin(password="bench-admin-password")  # noqa: S106
    client, floor_client = Client(), Client()
    client.force_login(admin)
    session = client.session
    session[VERIFIED_SESSION_KEY] = admin.pk
    session.save()

    year = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
    period = Period(start=today - timedelta(days=364), end=today, grain="week")

    def floor_sql():
        return list(
            Order.objects.filter(
                status__in=PAID_ORDER_STATUSES, date_placed__gte=period.since, date_placed__lt=period.until
            )
            .annotate(bucket=period.trunc("date_placed"))
            .values("bucket")
            .annotate(gross=Sum("total_incl_tax"))
            .order_by("bucket")
        )

    def figures(params):
        report = report_build(REPORTS[params["slug"]], params["query"])
        return report.rows(), report.totals(), report.chart()

    steps: dict[str, tuple[Callable, Callable]] = {}
    floors_added = []
    for slug in REPORT_SLUGS:
        query = dict(year) if not REPORTS[slug].grains else {**year, "grain": "week"}
        url = f"/admin/backoffice/reports/{slug}/"
        first = client.get(url, query)
        assert first.status_code == 200, (slug, first.status_code, first.content[:300])
        floors_added.append(path(f"bench-floor-html/{slug}", _html_floor(first.content)))
        steps[slug] = (partial(figures, {"slug": slug, "query": query}), floor_sql)
        steps[f"{slug}_page"] = (
            partial(client.get, url, query),
            partial(floor_client.get, f"/bench-floor-html/{slug}"),
        )
        steps[f"{slug}_csv"] = (
            lambda url=url, query=query: _drained(client.get(f"{url}csv/", query)),
            floor_sql,
        )
    bench.urls.urlpatterns[:0] = floors_added
    clear_url_caches()

    timings: dict[str, list[float]] = {name: [] for name in steps}
    floors: dict[str, list[float]] = {name: [] for name in steps}
    queries: dict[str, list[int]] = {name: [] for name in steps}
    for round_number in range(warmup + rounds):
        for name, (step, floor) in steps.items():
            pair = [(step, timings, True), (floor, floors, False)]
            if round_number % 2:
                pair.reverse()
            for run, into, counted in pair:
                elapsed, count, _result = _timed(run)
                if round_number >= warmup:
                    into[name].append(elapsed)
                    if counted:
                        queries[name].append(count)
        print(f"\r  round {round_number + 1}/{warmup + rounds}", end="", flush=True)
    print()

    rows = []
    for name in steps:
        row = _row(name, timings, floors, queries)
        row["floor"] = "bare view, same HTML" if name.endswith("_page") else "one aggregate query (floor_sql)"
        if name in BUDGETS:
            row["query_budget"] = BUDGETS[name]
        rows.append(row)
    result = {
        "database": connection.vendor,
        "rounds": rounds,
        "dataset": dataset,
        "range": {**year, "grain": "week"},
        "benchmarks": rows,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "settings": settings.SETTINGS_MODULE,
    }
    stem = "reports" if connection.vendor == "sqlite" else f"reports-{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    _chart(rows, RESULTS / f"{stem}.svg", connection.vendor, title="Reports over a year")
    for row in rows:
        budget = row.get("query_budget")
        verdict = "" if budget is None else ("PASS" if row["queries_min_max"][1] <= budget else "FAIL")
        limit = f"≤ {budget}" if budget else ""
        print(
            f"{row['name']:18} p50 {row['median_ms']:8.2f} ms  floor {row['floor_median_ms']:7.2f} ms"
            f"  {row['ratio']:5.1f}×  {row['queries']:3d} queries {limit:5} {verdict}"
        )
    print(f"wrote {RESULTS / f'{stem}.json'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed runs of each step and its floor")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=100_000)
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.warmup, arguments.customers, arguments.orders)
