"""``python -m bench.subscriptions``: the access check for a subscriber, beside the one for a buyer,
in one run and on one video (a priced lesson of a seeded course, included in the subscription).

- ``access_check_purchase`` — a buyer holding a grant for the course: the grant rule allows (the
  check ``python -m bench.shop`` times as ``access_check``);
- ``access_check_subscriber`` — a subscriber (one active monthly subscription in dj-stripe's
  mirror) who did not buy it: the grant rule finds nothing, the subscription rule allows;
- ``access_check_subscriber_rich`` — the same with 200 grants for other videos and 12 ended
  subscriptions besides the running one (the count must not grow with them);
- ``access_check_denied`` — a shopper with neither: both rules asked, both say no.

The budget is the issue's: at most 3 queries, the same as for purchases. The floor is one indexed
``exists()``, as in ``bench.shop``. The checks and the floor take turns, ``--rounds`` times each,
after the catalogue's holdings are cached (as they are in production between publishes).

The mirror's rows are written the way the local demo writes them (``shop.subscriptions.local``):
the same dj-stripe ``Price``, ``Customer`` and ``Subscription`` rows Stripe's objects make, so the
check reads exactly what it reads in production, without Stripe. The shoppers are kept between
runs (a subscription whose period has passed is replaced by a fresh one).

Writes ``bench/results/subscriptions.json`` (``subscriptions-postgresql.json`` on PostgreSQL) and a
chart beside it. Run ``python -m bench`` first: it migrates and seeds the benchmark database.
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

from bench.shop import RESULTS, RICH_GRANTS, _chart, _row, _timed

BUDGET = 3  # queries, the same as the purchase check's
ENDED_SUBSCRIPTIONS = 12
CHECKS = (
    "access_check_purchase",
    "access_check_subscriber",
    "access_check_subscriber_rich",
    "access_check_denied",
)


def _user(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(email=email)[0]


def _subscribed(user, *, ended: int = 0):
    """``user`` with a running monthly subscription in the mirror (and ``ended`` old ones)."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone
    from djstripe.models import Subscription

    from shop.subscriptions import local
    from shop.subscriptions.services import customer_for
    from shop.subscriptions.state import is_subscribed

    price = local.price_put(key="bench_monthly", name="Bench monthly", amount_cents=1900, interval="month")
    customer = customer_for(user) or local.customer_put(user=user)
    now = timezone.now()
    past = Subscription.objects.filter(customer=customer, stripe_data__status="canceled").count()
    for number in range(past, ended):
        start = now - relativedelta(months=number + 2)
        data = local.subscription_data(customer=customer, price=price, start=start)
        data.update(status="canceled", ended_at=int((start + timedelta(days=30)).timestamp()))
        local.subscription_put(data=data)
    if not is_subscribed(user):
        local.subscription_put(data=local.subscription_data(customer=customer, price=price, start=now))
    return user


def _granted(user, item_keys) -> None:
    from shop.models import Grant

    if not Grant.objects.filter(user=user).exists():
        Grant.objects.bulk_create(
            Grant(user=user, item_key=key, source=Grant.Source.STAFF, reason="bench") for key in item_keys
        )


def main(rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from cms.models import CoursePage, VideoPage
    from cms.selectors.holdings import video_holding
    from shop.access.selectors import may_watch
    from shop.models import Grant

    course = CoursePage.objects.live().filter(locale__language_code="de", price__isnull=False).first()
    if course is None:
        raise SystemExit("No seeded course: run `python -m bench` first.")
    lessons = set(course.lesson_ids())
    videos = list(VideoPage.objects.live().filter(locale__language_code="de").order_by("pk"))
    video = next(
        (
            v
            for v in videos
            if v.pk in lessons and v.price and video_holding(v.translation_key).included_in_subscription
        ),
        None,
    )
    if video is None:
        raise SystemExit(
            "No priced lesson included in the subscription: reseed with `python -m bench --fresh`."
        )
    others = [v.translation_key for v in videos if v.pk not in lessons][:RICH_GRANTS]

    buyer = _user("buyer@subscriptions.bench.phialo.localhost")
    _granted(buyer, [course.translation_key])
    subscriber = _subscribed(_user("subscriber@subscriptions.bench.phialo.localhost"))
    rich = _user("rich-subscriber@subscriptions.bench.phialo.localhost")
    _granted(rich, others)
    _subscribed(rich, ended=ENDED_SUBSCRIPTIONS)
    nobody = _user("nobody@subscriptions.bench.phialo.localhost")
    expected = {
        "access_check_purchase": (buyer, True),
        "access_check_subscriber": (subscriber, True),
        "access_check_subscriber_rich": (rich, True),
        "access_check_denied": (nobody, False),
    }
    floor_grant = Grant.objects.filter(user=buyer).values_list("pk", flat=True).first()
    floor = Grant.objects.filter(pk=floor_grant).exists
    for name, (user, allowed) in expected.items():  # warm: the catalogue's holdings are cached
        assert may_watch(user, video) is allowed, name

    timings: dict[str, list[float]] = {name: [] for name in CHECKS}
    floors: dict[str, list[float]] = {name: [] for name in CHECKS}
    queries: dict[str, list[int]] = {name: [] for name in CHECKS}

    def record(name: str, run: Callable[[], Any], *, is_floor: bool) -> Any:
        elapsed, count, result = _timed(run)
        if is_floor:
            floors[name].append(elapsed)
        else:
            timings[name].append(elapsed)
            queries[name].append(count)
        return result

    for number in range(rounds):
        order = CHECKS[number % len(CHECKS) :] + CHECKS[: number % len(CHECKS)]  # take turns going first
        for name in order:
            user, allowed = expected[name]
            assert record(name, partial(may_watch, user, video), is_floor=False) is allowed, name
            record(name, floor, is_floor=True)
        if (number + 1) % 50 == 0:
            print(f"  access check rounds: {number + 1}/{rounds}", end="\r", flush=True)
    print()

    rows = []
    for name in CHECKS:
        row = _row(name, timings, floors, queries)
        row["query_budget"] = BUDGET
        rows.append(row)
    purchase = rows[0]["median_ms"]
    for row in rows[1:]:
        row["compared_with"] = {
            "name": "access_check_purchase",
            "figure": purchase,
            "ratio": round(row["median_ms"] / purchase, 2) if purchase else None,
        }
    result = {
        "database": connection.vendor,
        "rounds": rounds,
        "dataset": {
            "videos": len(videos),
            "rich_subscriber_grants": Grant.objects.filter(user=rich).count(),
            "rich_subscriber_subscriptions": ENDED_SUBSCRIPTIONS + 1,
        },
        "video": str(video.translation_key),
        "mirror": "dj-stripe rows written as the local demo writes them (shop.subscriptions.local)",
        "benchmarks": rows,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        # Other work on the machine slows every figure alike; compare rows within one run.
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "settings": settings.SETTINGS_MODULE,
    }
    stem = "subscriptions" if connection.vendor == "sqlite" else f"subscriptions-{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    _chart(rows, RESULTS / f"{stem}.svg", connection.vendor, title="Access check: subscriber and buyer")
    for row in rows:
        verdict = "PASS" if row["queries_min_max"][1] <= BUDGET else "FAIL"
        print(
            f"{row['name']:30} p50 {row['median_ms']:7.3f} ms  p95 {row['p95_ms']:7.3f} ms"
            f"  floor {row['floor_median_ms']:6.3f} ms  {row['ratio']:5.2f}×"
            f"  {row['queries']} queries (≤ {BUDGET}) {verdict}"
        )
    print(f"wrote {RESULTS / f'{stem}.json'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500, help="timed checks of each kind (and floors)")
    main(parser.parse_args().rounds)
