"""``python -m bench.booking``: free slots and hold creation for a busy consultant, each beside its floor.

The consultant works every day 08:00 to 20:00 (Europe/Berlin) with 15 minute buffers, 12 hours'
notice and a 60 day horizon, and has 500 bookings over those 60 days (480 confirmed, 20 live
holds; each day booked back to back from 08:00, the evenings left free) and 20 busy times from
their own calendar: every slot asked for has to be checked against all of them.

- ``slots_60_days`` — ``GET /api/v1/booking/slots/`` for the whole horizon (a 60 minute type);
- ``slots_1_day`` — the same for one day: the query count must not grow with the range (≤ 5);
- ``hold_place`` — ``booking.services.holds.hold_place`` on a free slot: the consultant's row locked,
  the start checked against the rules and every booking, the row inserted under the exclusion
  constraint, the basket line added. Its floor is the least any hold must do: lock the
  consultant's row and insert one booking row. Each hold is released (untimed) after it is timed,
  so every round holds the same slot on the same state;
- ``hold_api`` — ``POST /api/v1/booking/holds/`` as a signed-in shopper (session cookie), the same
  service behind the API.

The HTTP steps' floors are a bare view answering the same bytes behind the same middleware
(``bench.floor``). Queries count the statements that read or write data (BEGIN, COMMIT and
savepoints left out). The steps and their floors take turns, ``--rounds`` times each.

Needs a migrated benchmark database (``python -m bench`` migrates it; ``BENCH_DATABASE_URL`` picks
PostgreSQL); the catalogue seed is not used. The consultant, types and shopper are kept between
runs; their bookings are replaced at every run, so the 500 always lie ahead. Writes
``bench/results/booking.json`` (``booking-postgresql.json``) and a chart beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from bench.shop import RESULTS, _chart, _row, _timed

BUDGETS = {"slots_60_days": 5, "slots_1_day": 5}
BOOKINGS = 500
LIVE_HOLDS = 20
EXTERNAL_BUSY = 20
CONSULTANT = "consultant@booking.bench.phialo.localhost"
SHOPPER = "shopper@booking.bench.phialo.localhost"
TYPE_TITLE = "Bench: Beratung 60"
SHORT_TYPE_TITLE = "Bench: Beratung 30"


def _consultant():
    from datetime import time as clock

    from django.contrib.auth import get_user_model

    from booking.models import Consultant, WorkingHours

    user, _ = get_user_model().objects.get_or_create(email=CONSULTANT)
    consultant, created = Consultant.objects.get_or_create(
        user=user,
        defaults={
            "display_name": "Bench consultant",
            "time_zone": "Europe/Berlin",
            "buffer_before_minutes": 15,
            "buffer_after_minutes": 15,
            "minimum_notice_minutes": 12 * 60,
            "horizon_days": 60,
            "slot_interval_minutes": 30,
        },
    )
    if created:
        WorkingHours.objects.bulk_create(
            WorkingHours(consultant=consultant, weekday=day, start_time=clock(8), end_time=clock(20))
            for day in range(7)
        )
    return consultant


def _type(consultant, *, title: str, minutes: int, price: str):
    from wagtail.models import Locale

    from booking.models import ConsultationType
    from booking.products import products_sync

    found = ConsultationType.objects.filter(consultant=consultant, title=title).first()
    if found is None:
        found = ConsultationType.objects.create(
            locale=Locale.get_default(),
            consultant=consultant,
            title=title,
            duration_minutes=minutes,
            price=Decimal(price),
            first_timer_price=Decimal(price) - 30,
        )
        products_sync(found)
    return found


def _bookings_replace(consultant, short_type, now: datetime) -> None:
    """500 half-hour bookings over the horizon, on the grid, none overlapping (buffers included), and
    20 calendar busy times among them."""
    from booking.models import Booking, ExternalBusy
    from booking.slots import Rules, free_starts

    consultant.bookings.all().delete()
    consultant.external_busy.all().delete()
    rules = Rules.from_consultant(consultant)
    length = timedelta(minutes=short_type.duration_minutes)
    grid = free_starts(
        rules,
        duration=length,
        busy=(),
        counted=(),
        now=now,
        window_from=now,
        window_to=rules.horizon_end(now),
    )
    # Mornings to afternoons booked back to back, evenings free: slots are left to find, and each
    # candidate is checked against a day full of bookings.
    per_day = -(-BOOKINGS // rules.horizon_days)
    chosen: list[datetime] = []
    taken_on: dict = {}
    for start in grid:
        day = rules.local_date(start)
        if len(chosen) == BOOKINGS or taken_on.get(day, 0) == per_day:
            continue
        if chosen and start - rules.buffer_before < chosen[-1] + length + rules.buffer_after:
            continue
        chosen.append(start)
        taken_on[day] = taken_on.get(day, 0) + 1
    Booking.objects.bulk_create(
        Booking(
            consultant=consultant,
            type=short_type,
            status=Booking.Status.HELD
            if number % (BOOKINGS // LIVE_HOLDS) == 0
            else Booking.Status.CONFIRMED,
            hold_expires_at=now + timedelta(days=1) if number % (BOOKINGS // LIVE_HOLDS) == 0 else None,
            start=start,
            end=start + length,
            blocked_from=start - rules.buffer_before,
            blocked_until=start + length + rules.buffer_after,
            price=short_type.price,
        )
        for number, start in enumerate(chosen)
    )
    days = rules.horizon_days
    ExternalBusy.objects.bulk_create(
        ExternalBusy(
            consultant=consultant,
            start=now + timedelta(days=days * number / EXTERNAL_BUSY, hours=1),
            end=now + timedelta(days=days * number / EXTERNAL_BUSY, hours=2),
            uid=f"bench-{number}",
        )
        for number in range(EXTERNAL_BUSY)
    )


def _hold_floor(consultant, consultation_type, start: datetime, shopper) -> Callable[[], Any]:
    """Lock the consultant's row and insert one booking row (as expired, so it blocks nothing)."""
    from django.db import transaction

    from booking.models import Booking, Consultant

    length = timedelta(minutes=consultation_type.duration_minutes)

    def floor():
        with transaction.atomic():
            Consultant.objects.select_for_update().get(pk=consultant.pk)
            return Booking.objects.create(
                consultant=consultant,
                type=consultation_type,
                user=shopper,
                status=Booking.Status.EXPIRED,
                start=start,
                end=start + length,
                blocked_from=start,
                blocked_until=start + length,
                price=consultation_type.price,
            )

    return floor


def _alternate(steps: dict[str, tuple[Callable, Callable, Callable | None]], rounds: int, warmup: int):
    """Time each step and its floor in turns; ``after`` undoes what a step or floor did, untimed."""
    timings: dict[str, list[float]] = {name: [] for name in steps}
    floors: dict[str, list[float]] = {name: [] for name in steps}
    queries: dict[str, list[int]] = {name: [] for name in steps}
    for name, (step, floor, after) in steps.items():
        for _ in range(warmup):
            for call in (step, floor):
                result = call()
                if after:
                    after(result)
        gc.collect()
        for number in range(rounds):
            calls = [("step", step), ("floor", floor)]
            for kind, call in calls if number % 2 else reversed(calls):
                elapsed, count, result = _timed(call)
                if kind == "step":
                    timings[name].append(elapsed)
                    queries[name].append(count)
                else:
                    floors[name].append(elapsed)
                if after:
                    after(result)
        print(f"  {name}: done", flush=True)
    return timings, floors, queries


def _checked(request: Callable[[], Any], status: int) -> Callable[[], Any]:
    def run():
        response = request()
        assert response.status_code == status, (response.status_code, response.content[:300])
        return response

    return run


def main(rounds: int, warmup: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from bench.floor import floor_register
    from booking.models import Booking
    from booking.selectors import free_slots

    logging.getLogger("django.request").setLevel(logging.ERROR)
    now = timezone.now()
    consultant = _consultant()
    consultation_type = _type(consultant, title=TYPE_TITLE, minutes=60, price="89.00")
    short_type = _type(consultant, title=SHORT_TYPE_TITLE, minutes=30, price="49.00")
    _bookings_replace(consultant, short_type, now)
    shopper, _ = get_user_model().objects.get_or_create(email=SHOPPER)
    key = consultation_type.translation_key

    tz = consultant.tz
    today = now.astimezone(tz).date()
    client, floor_client = Client(), Client()
    url = reverse("booking-slots")
    requests = {
        "slots_60_days": f"{url}?type={key}&from={today}&to={today + timedelta(days=59)}&tz=Europe/Berlin",
        "slots_1_day": f"{url}?type={key}&from={today + timedelta(days=3)}&to={today + timedelta(days=3)}",
    }
    steps: dict[str, tuple[Callable, Callable, Callable | None]] = {}
    answered: dict[str, int] = {}
    for name, path in requests.items():
        response = client.get(path)
        assert response.status_code == 200, response.content[:300]
        answered[name] = len(response.json()["slots"])
        floor_register(name=name, body=response.content)
        steps[name] = (
            _checked(partial(client.get, path), 200),
            partial(floor_client.get, f"/api/bench-floor/{name}"),
            None,
        )

    # A free start two days ahead: every hold round takes it and gives it back.
    window_from = now + timedelta(days=2)
    start = free_slots(
        type=consultation_type, window_from=window_from, window_to=window_from + timedelta(days=2), now=now
    )[0]
    hold_timed = "not measured: booking.services.holds.hold_place is not importable"
    try:
        from booking.services.holds import hold_place, hold_release
    except ImportError:
        hold_place = None
    if hold_place is not None:
        hold = partial(hold_place, user=shopper, type_key=key, start=start, time_zone="Europe/Berlin")
        steps["hold_place"] = (
            hold,
            _hold_floor(consultant, consultation_type, start, shopper),
            lambda booking: hold_release(booking=booking) if booking.status == Booking.Status.HELD else None,
        )
        hold_timed = "booking.services.holds.hold_place"
        try:
            holds_url = reverse("booking-holds")
        except NoReverseMatch:
            holds_url = None
        if holds_url:
            shopper_client = Client()
            shopper_client.force_login(shopper)
            body = {"type": str(key), "start": start.isoformat(), "time_zone": "Europe/Berlin"}
            post = partial(shopper_client.post, holds_url, body, content_type="application/json")
            first = post()
            assert first.status_code == 201, first.content[:300]
            hold_release(booking=Booking.objects.get(pk=first.json()["id"]))
            floor_register(name="hold_api", body=first.content)
            steps["hold_api"] = (
                _checked(post, 201),
                partial(shopper_client.post, "/api/bench-floor/hold_api"),
                lambda response: (
                    hold_release(booking=Booking.objects.get(pk=response.json()["id"]))
                    if response.status_code == 201
                    else None
                ),
            )
            hold_timed += " and POST " + holds_url

    try:
        timings, floors, queries = _alternate(steps, rounds, warmup)
    finally:
        # The floor's rows and the released holds: the next run starts from the 500 alone.
        done = (Booking.Status.EXPIRED, Booking.Status.CANCELLED)
        Booking.objects.filter(consultant=consultant, user=shopper, status__in=done).delete()

    rows = []
    for name in steps:
        row = _row(name, timings, floors, queries)
        if name in BUDGETS:
            row["query_budget"] = BUDGETS[name]
        if name in answered:
            row["slots_answered"] = answered[name]
        rows.append(row)
    result = {
        "database": connection.vendor,
        "rounds": rounds,
        "dataset": {
            "bookings": consultant.bookings.filter(status__in=Booking.BLOCKING).count(),
            "live_holds": LIVE_HOLDS,
            "external_busy": EXTERNAL_BUSY,
            "rules": "every day 08:00-20:00 Europe/Berlin, 15 min buffers, 12 h notice, 60 day horizon",
        },
        "hold": hold_timed,
        "benchmarks": rows,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        # Other work on the machine slows every figure alike; compare rows within one run.
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "settings": settings.SETTINGS_MODULE,
    }
    stem = "booking" if connection.vendor == "sqlite" else f"booking-{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    _chart(rows, RESULTS / f"{stem}.svg", connection.vendor, title="Consultations: slots and holds")
    for row in rows:
        budget = row.get("query_budget")
        verdict = "" if budget is None else ("PASS" if row["queries_min_max"][1] <= budget else "FAIL")
        print(
            f"{row['name']:15} p50 {row['median_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms"
            f"  floor {row['floor_median_ms']:6.2f} ms  {row['ratio']:5.1f}×"
            f"  {row['queries']:2d} queries {'≤ ' + str(budget) if budget else '':4} {verdict}"
        )
    if hold_place is None:
        print(f"hold: {hold_timed}")
    print(f"wrote {RESULTS / f'{stem}.json'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed requests per step and floor")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before timing")
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.warmup)
