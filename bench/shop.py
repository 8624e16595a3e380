"""``python -m bench.shop``: the shop's money path, in-process, each step beside its floor.

Each round takes a new shopper through what the Astro site and Stripe do:

1. ``add_to_basket_first`` and ``add_to_basket`` — ``POST /api/shop/basket/add-product/``: a
   video (the shopper's first addition, which makes the basket), then a course;
2. ``apply_voucher`` — ``POST /api/shop/basket/add-voucher/`` (a 10 % code);
3. ``create_checkout`` — ``POST /api/v1/checkout/``: order placed, Stripe Checkout Session created
   (Stripe's API answered in-process by ``responses`` with its published example objects);
4. ``webhook_receive`` — Stripe posts a signed ``checkout.session.completed``: verified, stored;
5. ``webhook_to_paid`` — the Celery task that processes the event: order paid, access granted
   (the invoice and the e-mail it queues are other tasks and not timed here);
6. ``access_check`` — ``shop.access.selectors.may_watch`` for a lesson of the course just bought, and
   ``access_check_rich`` for a shopper holding 200 grants (the count must not grow with them).

Floors: the HTTP steps against a bare view answering the same bytes behind the same middleware
(:mod:`bench.floor`); the webhook's processing against the bare event-row lookup it starts with;
the access check against a single indexed ``exists()`` query. Celery publishes to an in-memory
broker, so queued work costs what publishing costs, as with Redis, and runs nowhere.

Writes ``bench/results/shop.json`` (``shop-postgres.json`` on PostgreSQL) and a chart beside it.
Run ``python -m bench`` first: it migrates and seeds the benchmark database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
BUDGETS = {
    "add_to_basket_first": 20,
    "add_to_basket": 20,
    "webhook_to_paid": 40,
    "access_check": 3,
    "access_check_rich": 3,
}
VOUCHER = "BENCH10"
RICH_GRANTS = 200


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


TRANSACTION_CONTROL = (
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
)


def _timed(run: Callable[[], Any]) -> tuple[float, int, Any]:
    """Seconds, SQL queries (statements that read or write data; BEGIN, COMMIT and savepoints are
    not counted), and what ``run`` returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - started
    queries = [q for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    return elapsed, len(queries), result


def _voucher_ensure():
    """A code anyone may use any number of times: 10 % off everything."""
    from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
    from oscar.apps.voucher.models import Voucher

    if voucher := Voucher.objects.filter(code=VOUCHER).first():
        return voucher
    everything, _ = Range.objects.get_or_create(
        name="Bench: everything", defaults={"includes_all_products": True}
    )
    offer = ConditionalOffer.objects.create(
        name="Bench 10 %",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )
    voucher = Voucher.objects.create(
        name="Bench 10 %",
        code=VOUCHER,
        usage=Voucher.MULTI_USE,
        start_datetime="2000-01-01T00:00:00Z",
        end_datetime="2100-01-01T00:00:00Z",
    )
    voucher.offers.add(offer)
    return voucher


def _rich_shopper(videos: list, count: int = RICH_GRANTS):
    """A shopper owning ``count`` videos through staff grants (the check's worst realistic case)."""
    from django.contrib.auth import get_user_model

    from shop.models import Grant

    user, created = get_user_model().objects.get_or_create(email="rich@bench.phialo.localhost")
    if created or not Grant.objects.filter(user=user).exists():
        Grant.objects.bulk_create(
            Grant(user=user, item_key=video.translation_key, source=Grant.Source.STAFF, reason="bench")
            for video in videos[:count]
        )
    return user


def main(rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import logging

    import responses
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import override_settings
    from oscar.apps.catalogue.models import Product

    import stripe_fakes
    from cms.models import CoursePage, VideoPage
    from config.celery_app import app as celery_app
    from shop.models import Grant

    logging.getLogger("django.request").setLevel(logging.ERROR)
    course = CoursePage.objects.live().filter(locale__language_code="de", price__isnull=False).first()
    if course is None:
        raise SystemExit("No seeded course: run `python -m bench` first.")
    product = Product.objects.get(upc=str(course.translation_key))
    lessons = set(course.lesson_ids())
    videos = list(VideoPage.objects.live().filter(locale__language_code="de").order_by("pk"))
    lesson = next(video for video in videos if video.pk in lessons and video.price)  # not a free one
    single = next(video for video in reversed(videos) if video.pk not in lessons and video.price)
    products = [Product.objects.get(upc=str(single.translation_key)), product]
    _voucher_ensure()
    rich = _rich_shopper(videos)
    rich_video = videos[min(len(videos), RICH_GRANTS) - 1]  # the last one they own
    # Queued work is published, as to Redis, and left there: only the step itself is timed.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"

    steps = (
        "add_to_basket_first",
        "add_to_basket",
        "apply_voucher",
        "create_checkout",
        "webhook_receive",
        "webhook_to_paid",
    )
    steps += ("access_check", "access_check_rich")
    timings: dict[str, list[float]] = {name: [] for name in steps}
    floors: dict[str, list[float]] = {name: [] for name in timings}
    queries: dict[str, list[int]] = {name: [] for name in timings}
    run_id = uuid.uuid4().hex[:8]

    def record(kind: str, name: str, run: Callable[[], Any]) -> Any:
        elapsed, count, result = _timed(run)
        if kind == "step":
            timings[name].append(elapsed)
            queries[name].append(count)
        else:
            floors[name].append(elapsed)
        return result

    stripe_settings = {
        "STRIPE_SECRET_KEY": stripe_fakes.SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": stripe_fakes.WEBHOOK_SECRET,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
    }
    with (
        override_settings(**stripe_settings),
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        fake = stripe_fakes.FakeStripe(mock)
        fake.sessions_create()
        for number in range(1, rounds + 1):
            shopper = get_user_model().objects.create_user(
                email=f"shop-{run_id}-{number}@bench.phialo.localhost"
            )
            _round(shopper, products, lesson, rich, rich_video, record)
            print(f"  shop rounds: {number}/{rounds}", end="\r", flush=True)
    print()

    rows = [_row(name, timings, floors, queries) for name in steps]
    result = {
        "database": connection.vendor,
        "rounds": rounds,
        "dataset": {
            "videos": len(videos),
            "rich_shopper_grants": Grant.objects.filter(user=rich).count(),
        },
        "stripe": "answered in-process by `responses` with Stripe's published example objects",
        "celery": "published to an in-memory broker; queued work (invoice, e-mail, mirror) not timed",
        "benchmarks": rows,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": settings.SETTINGS_MODULE,
    }
    stem = "shop" if connection.vendor == "sqlite" else f"shop-{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    _chart(rows, RESULTS / f"{stem}.svg", connection.vendor)
    for row in rows:
        budget = f"≤ {row['query_budget']}" if "query_budget" in row else ""
        verdict = (
            "" if "query_budget" not in row else ("PASS" if row["queries"] <= row["query_budget"] else "FAIL")
        )
        print(
            f"{row['name']:18} p50 {row['median_ms']:8.2f} ms  floor {row['floor_median_ms']:6.2f} ms"
            f"  {row['ratio']:6.1f}×  {row['queries']:3d} queries {budget:5} {verdict}"
        )
    print(f"wrote {RESULTS / f'{stem}.json'}")


def _round(shopper, products, lesson, rich, rich_video, record: Callable[..., Any]) -> None:
    """One new shopper from no basket to watching a lesson of the course they bought: a video is
    added first (which makes the basket), then the course."""

    from django.test import Client

    import stripe_fakes
    from bench.floor import floor_register
    from shop.access.selectors import may_watch
    from shop.models import Checkout, Grant, StripeEvent
    from shop.payments.stripe_events import event_process

    client = Client()
    client.force_login(shopper)
    response = None
    add = "/api/shop/basket/add-product/"
    for name, path, data, status in (
        ("add_to_basket_first", add, {"url": _product_url(products[0]), "quantity": 1}, 200),
        ("add_to_basket", add, {"url": _product_url(products[1]), "quantity": 1}, 200),
        ("apply_voucher", "/api/shop/basket/add-voucher/", {"vouchercode": VOUCHER}, 200),
        ("create_checkout", "/api/v1/checkout/", {}, 201),
    ):
        response = record("step", name, partial(client.post, path, data, content_type="application/json"))
        assert response.status_code == status, (name, response.content)
        floor_register(name=name, body=response.content)
        record("floor", name, partial(client.get, f"/api/bench-floor/{name}"))

    number = response.json()["order_number"]
    checkout = Checkout.objects.select_related("order").get(order__number=number)
    payload = stripe_fakes.event("checkout.session.completed", stripe_fakes.session_object(checkout))
    body = json.dumps(payload).encode()
    stripe = Client()
    response = record(
        "step",
        "webhook_receive",
        partial(
            stripe.post,
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe_fakes.signature(body),
        ),
    )
    assert response.status_code == 200, response.content
    floor_register(name="webhook_receive", body=response.content)
    record("floor", "webhook_receive", partial(stripe.get, "/bench-floor/webhook_receive"))

    record("step", "webhook_to_paid", partial(event_process, event_id=payload["id"]))
    record("floor", "webhook_to_paid", StripeEvent.objects.filter(pk=payload["id"]).first)
    checkout.order.refresh_from_db()
    assert checkout.order.status == "paid", checkout.order.status

    floor_grant = Grant.objects.filter(user=shopper).values_list("pk", flat=True).first()
    assert record("step", "access_check", partial(may_watch, shopper, lesson)), "bought its course"
    record("floor", "access_check", Grant.objects.filter(pk=floor_grant).exists)
    assert record("step", "access_check_rich", partial(may_watch, rich, rich_video))
    record("floor", "access_check_rich", Grant.objects.filter(pk=floor_grant).exists)


def _product_url(product) -> str:
    return f"http://testserver/api/shop/products/{product.pk}/"


def _row(name: str, timings, floors, queries) -> dict[str, Any]:
    median, floor = _median_ms(timings[name]), _median_ms(floors[name])
    counts = queries[name]
    row = {
        "name": name,
        "median_ms": median,
        "p95_ms": round(statistics.quantiles([s * 1000 for s in timings[name]], n=20)[18], 3)
        if len(timings[name]) > 1
        else median,
        "floor_median_ms": floor,
        "ratio": round(median / floor, 2) if floor else None,
        # The same for every round, or the spread when not (e.g. a first-round cache fill).
        "queries": max(set(counts), key=counts.count),
        "queries_min_max": [min(counts), max(counts)],
    }
    if name in BUDGETS:
        row["query_budget"] = BUDGETS[name]
    return row


def _chart(rows: list[dict[str, Any]], path: Path, vendor: str, title: str = "Shop money path") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [row["name"] for row in rows]
    figure, (times, counts) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    positions = range(len(rows))
    times.barh([p + 0.2 for p in positions], [row["median_ms"] for row in rows], 0.4, label="step (p50)")
    times.barh(
        [p - 0.2 for p in positions], [row["floor_median_ms"] for row in rows], 0.4, label="floor (p50)"
    )
    times.set_yticks(list(positions), names)
    times.invert_yaxis()
    times.set_xlabel("milliseconds")
    times.legend(loc="lower right")
    for position, row in zip(positions, rows, strict=True):
        times.annotate(
            f" {row['median_ms']:.1f} ms", (row["median_ms"], position + 0.2), va="center", fontsize=8
        )
    counts.barh(list(positions), [row["queries"] for row in rows], 0.5, color="#6a8caf")
    for position, row in zip(positions, rows, strict=True):
        if "query_budget" in row:
            counts.plot([row["query_budget"]] * 2, [position - 0.35, position + 0.35], color="#c0392b", lw=2)
    counts.set_yticks(list(positions), [""] * len(rows))
    counts.invert_yaxis()
    counts.set_xlabel("SQL queries (red: budget)")
    figure.suptitle(f"{title}, in-process on {vendor} (medians of each step and its floor)")
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="shoppers taken through the whole path")
    main(parser.parse_args().rounds)
