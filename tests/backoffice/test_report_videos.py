"""The top-videos report: its figures are what the viewers watched, it reads only the rolled-up
figures, and its cost does not grow with the number of videos.

Videos of the shop's catalogue are 600 s long. The report covers November 2026 (Berlin days).
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

import backoffice.reports.videos  # noqa: F401  (registers the report)
from backoffice.engagement import engagement_roll_up
from backoffice.models import VideoEngagementDay
from backoffice.reports.base import Period
from backoffice.reports.videos import VideosReport
from media_pipeline.models import WatchDay, WatchProgress
from media_pipeline.progress import progress_record

# The shop's fixtures: its catalogue (600 s videos) and shoppers.

DURATION = 600.0
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
SOLDERING = "Löten mit dem Mikrobrenner (Soldering with a micro torch)"
SETTING = "Fassen von Steinen"
POLISHING = "Polieren auf Hochglanz"


@pytest.fixture
def watched(shop_catalog, make_user):
    """Five viewers' watching around November; rolled up on 2 December."""
    a, b, c = (video.translation_key for video in shop_catalog.videos)
    users = {name: make_user(f"{name}@example.com") for name in ("u1", "u2", "u3", "u4", "u5")}
    events = [
        # (viewer, video, noon UTC of that day, ranges played)
        ("u4", a, "2026-10-31", [[0, 100]]),  # starts before the range
        ("u1", a, "2026-11-10", [[0, 600]]),  # starts and completes
        ("u2", a, "2026-11-10", [[0, 150]]),  # stops after 150 s
        ("u3", a, "2026-11-12", [[0, 200]]),
        ("u3", a, "2026-11-13", [[200, 420]]),  # goes on to 420 s the next day
        ("u4", a, "2026-11-14", [[100, 580]]),  # completes in the range
        ("u1", b, "2026-11-15", [[0, 60]]),
        ("u2", b, "2026-11-15", [[0, 30]]),
        ("u2", b, "2026-12-01", [[30, 600]]),  # after the range, but her start day learns of it
        ("u5", c, "2026-11-20", [[0, 590]]),
    ]
    for name, key, day, ranges in events:
        with freeze_time(f"{day} 12:00"):
            progress_record(
                user=users[name],
                video_key=key,
                duration=DURATION,
                position_seconds=ranges[-1][1],
                watched_ranges=ranges,
            )
    with freeze_time("2026-12-02 03:00"):
        engagement_roll_up()
    return a, b, c


# Worked out by hand from the events above, for November:
# Soldering: 600 + 150 + 200 + 220 + 480 s; viewer-days u1, u2, u3 (twice), u4; starts u1, u2, u3;
#   completions u1, u4. Starters got to 600 s (tenth 9), 150 s (tenth 2), 420 s (tenth 7): one
#   stopped in each, the earliest such tenth is 20-30 %; reach at the middle of each tenth
#   (0.95 + 0.25 + 0.75) / 3.
# Setting: 60 + 30 s; two starts, no completion in November; u1 stopped at 60 s (tenth 1), u2 went
#   on to the end in December (tenth 9): (0.15 + 0.95) / 2.
# Polishing: 590 s, one start, one completion, tenth 9.
EXPECTED = {
    SOLDERING: dict(
        watch_seconds=1650.0, viewers=5, starts=3, completions=2, completion_rate=2 / 3,
        drop_off="20–30 %", drop_off_share=1 / 3, average_reach=0.65,
    ),
    SETTING: dict(
        watch_seconds=90.0, viewers=2, starts=2, completions=0, completion_rate=0.0,
        drop_off="10–20 %", drop_off_share=0.5, average_reach=0.55,
    ),
    POLISHING: dict(
        watch_seconds=590.0, viewers=1, starts=1, completions=1, completion_rate=1.0,
        drop_off="90–100 %", drop_off_share=1.0, average_reach=0.95,
    ),
}  # fmt: skip
TOTAL = dict(
    watch_seconds=2330.0, viewers=8, starts=6, completions=3, completion_rate=0.5,
    drop_off="90–100 %", drop_off_share=0.5, average_reach=4.0 / 6,
)  # fmt: skip


def figures_of(row):
    return {key: pytest.approx(row[key]) if isinstance(row[key], float) else row[key] for key in TOTAL}


def november(order="watch_time"):
    return VideosReport(period=Period(date(2026, 11, 1), date(2026, 11, 30)), options={"order": order})


@pytest.mark.django_db
def test_figures_are_what_the_viewers_watched(watched):
    report = november()
    rows = report.rows()
    assert [row["title"] for row in rows] == [SOLDERING, POLISHING, SETTING]
    for row in rows:
        assert figures_of(row) == EXPECTED[row["title"]], row["title"]
        assert row["watch_hours"] == pytest.approx(row["watch_seconds"] / 3600)
    assert figures_of(report.totals()) == TOTAL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "titles"),
    [
        ("watch_time", [SOLDERING, POLISHING, SETTING]),
        ("completion_rate", [POLISHING, SOLDERING, SETTING]),
        ("starts", [SOLDERING, SETTING, POLISHING]),
    ],
)
def test_the_order_filter_sorts_table_and_chart(watched, staff_client, order, titles):
    response = staff_client.get("/admin/backoffice/reports/videos/", NOVEMBER | {"order": order})
    assert response.status_code == 200
    assert [row[0] for row in response.context["table"]] == titles
    chart = response.context["chart"]
    assert chart["horizontal"] is True and chart["labels"] == titles
    hours = {SOLDERING: 0.46, POLISHING: 0.16, SETTING: 0.03}  # watch time, rounded to 2 places
    assert chart["datasets"][0]["data"] == [hours[title] for title in titles]


@pytest.mark.django_db
def test_the_page_shows_drop_off_and_rates(watched, staff_client):
    response = staff_client.get("/admin/backoffice/reports/videos/", NOVEMBER)
    assert response.context["table"][0] == [
        SOLDERING, "0.5 h", "5", "3", "2", "66.7 %", "20–30 %", "33.3 %", "65.0 %",
    ]  # fmt: skip
    assert response.context["totals"][1:] == [
        "0.6 h",
        "8",
        "6",
        "3",
        "50.0 %",
        "90–100 %",
        "50.0 %",
        "66.7 %",
    ]
    csv = b"".join(staff_client.get("/admin/backoffice/reports/videos/csv/", NOVEMBER).streaming_content)
    lines = csv.decode().lstrip("\ufeff").splitlines()  # the demo admin reads German
    assert lines[1] == f"{SOLDERING},0.5,5,3,2,0.6667,20–30 %,0.3333,0.6500"
    assert lines[-1] == "Gesamt,0.6,8,6,3,0.5000,90–100 %,0.5000,0.6667"


@pytest.mark.django_db
def test_an_unknown_order_is_refused(staff_client):
    response = staff_client.get("/admin/backoffice/reports/videos/", NOVEMBER | {"order": "likes"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_report_reads_only_the_rolled_up_figures(watched):
    before = november().rows()
    with CaptureQueriesContext(connection) as queries:
        november().rows()
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert WatchDay._meta.db_table not in sql and WatchProgress._meta.db_table not in sql
    WatchDay.objects.all().delete()
    WatchProgress.objects.all().delete()
    assert november().rows() == before


def _engagement(keys, day=date(2026, 11, 5)):
    VideoEngagementDay.objects.bulk_create(
        VideoEngagementDay(
            video_key=key, day=day, watch_seconds=120.0 + index, viewers=2, starts=1, completions=0,
            reached=[1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
        )
        for index, key in enumerate(keys)
    )  # fmt: skip


def _queries(order="watch_time"):
    report = november(order)
    with CaptureQueriesContext(connection) as queries:
        report.rows(), report.totals(), report.chart()
    return len(queries), report


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_videos():
    _engagement([uuid.uuid4()])
    one, report = _queries()
    assert len(report.rows()) == 1
    VideoEngagementDay.objects.all().delete()
    _engagement([uuid.uuid4() for _ in range(50)])
    fifty, report = _queries("completion_rate")
    assert one == fifty == 2  # the figures, the titles
    assert len(report.rows()) == 50 and len(report.chart()["labels"]) == 25
    # A video with no page left still shows, by its key.
    assert report.rows()[0]["title"] == str(report.rows()[0]["video_key"])
