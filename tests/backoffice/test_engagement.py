"""Engagement data: what the players report lands in per-viewer days (WatchDay), and the roll-up
folds those into the per-video figures the reports read (VideoEngagementDay).

Videos of the shop's catalogue are 600 s long (the editor's duration; no asset). Days are Berlin
days: 23:30 UTC on 20 November is already the 21st in Berlin (UTC+1).
"""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from django.db import connection
from django.test import Client
from freezegun import freeze_time

from backoffice.engagement import ROLL_UP_LOCK, engagement_roll_up
from backoffice.models import VideoEngagementDay
from backoffice.tasks import roll_up
from media_pipeline.models import WatchDay
from media_pipeline.progress import progress_record

# The shop's fixtures: its catalogue (600 s videos) and shoppers.

DURATION = 600.0
NOV20, NOV21 = date(2026, 11, 20), date(2026, 11, 21)


@pytest.fixture
def viewers(shop_catalog, make_user, buy):
    """Three signed-in players, each owning the bundle (all three videos)."""
    clients = {}
    for name in ("anna", "ben", "clara"):
        user = make_user(f"{name}@example.com")
        buy(user, shop_catalog.bundle)
        client = Client()
        client.force_login(user)
        clients[name] = (user, client)
    return clients


def report(viewers, name, video, when, ranges):
    """``name``'s player reports ``ranges`` of ``video`` at ``when`` (UTC), through the API."""
    _user, client = viewers[name]
    with freeze_time(when):
        response = client.put(
            f"/api/v1/me/progress/{video.translation_key}/",
            {"position_seconds": ranges[-1][1], "watched_ranges": ranges},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    return response.json()


def day_rows():
    return {
        (row.user.email.split("@")[0], row.video_key, row.day): (
            row.seconds,
            row.furthest_seconds,
            row.started,
            row.completed,
        )
        for row in WatchDay.objects.select_related("user")
    }


def figures():
    return {
        (row.video_key, row.day): (
            row.watch_seconds,
            row.viewers,
            row.starts,
            row.completions,
            row.reached,
        )
        for row in VideoEngagementDay.objects.all()
    }


def two_days(viewers, catalog):
    """The watching of 20 and 21 November (Berlin)."""
    a, b = catalog.videos[0], catalog.videos[1]
    report(viewers, "anna", a, "2026-11-20 10:00", [[0, 120]])
    report(viewers, "ben", a, "2026-11-20 12:00", [[0, 90]])
    report(viewers, "anna", a, "2026-11-20 22:30", [[100, 300]])  # 23:30 in Berlin: still the 20th
    with freeze_time("2026-11-20 22:45"):
        assert engagement_roll_up() == 1
    report(viewers, "anna", a, "2026-11-20 23:30", [[300, 560]])  # 00:30 on the 21st: completes
    report(viewers, "ben", a, "2026-11-21 09:00", [[0, 60]])  # watches the start again
    report(viewers, "ben", b, "2026-11-21 09:05", [[0, 600]])
    report(viewers, "clara", a, "2026-11-21 10:00", [[0, 30], [500, 540]])  # skips to the end


@pytest.mark.django_db
def test_each_viewer_has_a_row_per_berlin_day_with_what_they_newly_watched(viewers, shop_catalog):
    two_days(viewers, shop_catalog)
    a, b = (video.translation_key for video in shop_catalog.videos[:2])
    # (seconds newly played that day, furthest second so far, started, completed)
    assert day_rows() == {
        # Anna went on to 560 s the next day: her start day follows her furthest point.
        ("anna", a, NOV20): (300.0, 560.0, True, False),
        ("anna", a, NOV21): (260.0, 560.0, False, True),
        ("ben", a, NOV20): (90.0, 90.0, True, False),
        ("ben", a, NOV21): (0.0, 90.0, False, False),  # watched again: a viewer, no new seconds
        ("ben", b, NOV21): (600.0, 600.0, True, True),
        ("clara", a, NOV21): (70.0, 540.0, True, False),  # 70 s played is not 90 % of 600
    }


@pytest.mark.django_db
def test_roll_up_figures_are_the_days_added_up(viewers, shop_catalog):
    two_days(viewers, shop_catalog)
    with freeze_time("2026-11-21 12:00"):
        rolled = roll_up.apply().get()
    a, b = (video.translation_key for video in shop_catalog.videos[:2])
    assert rolled == 3  # A on the 20th (Anna's start day changed) and the 21st, B on the 21st
    # reached[k]: starters of that day who got at least k tenths into the 600 s.
    # A, 20th: Anna 560 s (9 tenths and more), Ben 90 s (one tenth and a half).
    # A, 21st: Clara reached 540 s, exactly nine tenths.
    assert figures() == {
        (a, NOV20): (390.0, 2, 2, 0, [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]),
        (a, NOV21): (330.0, 3, 1, 1, [1] * 10),
        (b, NOV21): (600.0, 1, 1, 1, [1] * 10),
    }


@pytest.mark.django_db
def test_a_viewer_going_on_later_updates_their_start_days_drop_off(viewers, shop_catalog):
    a = shop_catalog.videos[0]
    report(viewers, "anna", a, "2026-11-20 10:00", [[0, 300]])
    report(viewers, "ben", a, "2026-11-20 12:00", [[0, 90]])
    with freeze_time("2026-11-20 20:00"):
        engagement_roll_up()
    # Anna half way (tenths 0-5), Ben one tenth and a half (0-1).
    assert figures()[(a.translation_key, NOV20)][4] == [2, 2, 1, 1, 1, 1, 0, 0, 0, 0]
    report(viewers, "anna", a, "2026-11-23 18:00", [[300, 480]])
    with freeze_time("2026-11-23 18:15"):
        engagement_roll_up()
    start_day = figures()[(a.translation_key, NOV20)]
    assert start_day == (390.0, 2, 2, 0, [2, 2, 1, 1, 1, 1, 1, 1, 1, 0])  # Anna stopped at 8/10
    assert figures()[(a.translation_key, date(2026, 11, 23))] == (180.0, 1, 0, 0, [0] * 10)


@pytest.mark.django_db
def test_running_the_roll_up_again_changes_nothing(viewers, shop_catalog):
    two_days(viewers, shop_catalog)
    with freeze_time("2026-11-21 12:00"):
        engagement_roll_up()
    before = figures()
    with freeze_time("2026-11-21 12:05"):
        engagement_roll_up()
        engagement_roll_up(since=None)
    assert figures() == before
    with freeze_time("2026-11-21 12:10"):
        assert engagement_roll_up(rebuild=True) == 3
    assert figures() == before
    # A day later only what changed since is aggregated again; the rest is left as it was.
    stamps = dict(VideoEngagementDay.objects.values_list("day", "rolled_up_at").filter(day=NOV20))
    report(viewers, "clara", shop_catalog.videos[2], "2026-11-22 12:00", [[0, 60]])
    with freeze_time("2026-11-22 12:15"):
        assert engagement_roll_up() == 1
    assert dict(VideoEngagementDay.objects.values_list("day", "rolled_up_at").filter(day=NOV20)) == stamps
    assert figures()[(shop_catalog.videos[2].translation_key, date(2026, 11, 22))] == (
        60.0,
        1,
        1,
        0,
        [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    )


@pytest.mark.django_db
def test_a_second_roll_up_waits_for_nothing_while_one_runs(viewers, shop_catalog):
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's; SQLite writes one transaction at a time")
    report(viewers, "anna", shop_catalog.videos[0], "2026-11-20 10:00", [[0, 120]])
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [ROLL_UP_LOCK])
        assert roll_up.apply().get() is None
        assert not VideoEngagementDay.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [ROLL_UP_LOCK])
        assert roll_up.apply().get() == 1
    finally:
        other.close()


@pytest.mark.django_db
def test_a_progress_report_costs_one_query_more_two_when_the_start_day_moves(
    shop_catalog, customer, django_assert_num_queries
):
    """Before WatchDay: a report on a stored row was 4 queries (savepoint, lock, update,
    release); now the day's upsert is one more, and following the start day one more again."""
    key = shop_catalog.videos[0].translation_key

    def record(ranges):
        progress_record(
            user=customer, video_key=key, duration=DURATION, position_seconds=0, watched_ranges=ranges
        )

    with freeze_time("2026-11-20 10:00"):
        record([[0, 60]])
        with django_assert_num_queries(5):
            record([[60, 120]])
    with freeze_time("2026-11-21 10:00"):
        with django_assert_num_queries(6):
            record([[120, 180]])  # further than ever, a day after starting
        with django_assert_num_queries(5):
            record([[0, 30]])  # watched again: nothing moves
    assert day_rows()[("kundin", key, NOV20)] == (120.0, 180.0, True, False)
    assert day_rows()[("kundin", key, NOV21)] == (60.0, 180.0, False, False)
