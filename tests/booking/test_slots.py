"""The slot engine's rules, on the pure functions (no database): each rule removes exactly the
starts it should, daylight-saving days included. Times are written as the consultant's wall
clock in Europe/Berlin; the engine answers UTC instants."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from booking.slots import Rules, SlotRefused, free_starts, local_iso, start_check

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
WORKDAYS = {weekday: [(time(9), time(17))] for weekday in range(5)}


def at(day: str, clock: str = "00:00", tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=tz).astimezone(UTC)


def rules(**changes) -> Rules:
    return Rules(tz=BERLIN, weekly=changes.pop("weekly", WORKDAYS), **changes)


def starts(rules: Rules, first: str, last: str | None = None, *, now: str = "2026-03-01T08:00", **given):
    """Free starts on the local days ``first``..``last``, as Berlin wall times with offsets."""
    last_day = date.fromisoformat(last or first) + timedelta(days=1)
    found = free_starts(
        rules,
        duration=given.pop("duration", HOUR),
        busy=given.pop("busy", ()),
        counted=given.pop("counted", ()),
        now=datetime.fromisoformat(now).replace(tzinfo=BERLIN),
        window_from=at(first),
        window_to=at(last_day.isoformat()),
    )
    return [start.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M%z") for start in found]


def clock(values: list[str]) -> list[str]:
    return [value[11:16] for value in values]


def on(values: list[str], day: str) -> list[str]:
    return clock([value for value in values if value.startswith(day)])


FULL_DAY = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
FULL_DAY += ["12:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]


def test_a_working_day_offers_every_start_that_ends_by_closing_time():
    assert clock(starts(rules(), "2026-03-02")) == FULL_DAY
    assert starts(rules(), "2026-03-07", "2026-03-08") == []  # the weekend


def test_spring_forward_offers_nothing_in_the_missing_hour_and_every_slot_lasts_its_length():
    night = rules(weekly={6: [(time(0), time(5))]})  # Sundays 00:00 to 05:00, 2026-03-29 loses 02:00 to 03:00
    found = starts(night, "2026-03-29")
    assert found == [
        "2026-03-29 00:00+0100",
        "2026-03-29 00:30+0100",
        "2026-03-29 01:00+0100",
        "2026-03-29 01:30+0100",
        "2026-03-29 03:00+0200",
        "2026-03-29 03:30+0200",
        "2026-03-29 04:00+0200",
    ]
    instants = [datetime.strptime(value, "%Y-%m-%d %H:%M%z") for value in found]
    # Four hours of real time: the grid steps 30 minutes in UTC straight through the change.
    assert [b - a for a, b in itertools.pairwise(instants)] == [timedelta(minutes=30)] * 6
    assert instants[-1] + HOUR == at("2026-03-29", "05:00")


def test_fall_back_offers_each_instant_of_the_repeated_hour_once():
    night = rules(weekly={6: [(time(0), time(5))]})  # 2026-10-25 lives 02:00 to 03:00 twice
    found = starts(night, "2026-10-25", now="2026-10-01T08:00")
    assert found == [
        "2026-10-25 00:00+0200",
        "2026-10-25 00:30+0200",
        "2026-10-25 01:00+0200",
        "2026-10-25 01:30+0200",
        "2026-10-25 02:00+0200",
        "2026-10-25 02:30+0200",
        "2026-10-25 02:00+0100",
        "2026-10-25 02:30+0100",
        "2026-10-25 03:00+0100",
        "2026-10-25 03:30+0100",
        "2026-10-25 04:00+0100",
    ]
    instants = [datetime.strptime(value, "%Y-%m-%d %H:%M%z") for value in found]
    assert len(set(instants)) == len(instants)
    assert instants[-1] + HOUR == at("2026-10-25", "05:00")  # six real hours, ended on time


def test_working_hours_follow_the_wall_clock_across_the_change():
    found = free_starts(
        rules(),
        duration=HOUR,
        busy=(),
        counted=(),
        now=at("2026-03-20"),
        window_from=at("2026-03-27"),
        window_to=at("2026-03-31"),
    )
    assert found[0] == datetime(2026, 3, 27, 8, tzinfo=UTC)  # Friday 09:00 CET
    monday = [start for start in found if start.date() == date(2026, 3, 30)]
    assert monday[0] == datetime(2026, 3, 30, 7, tzinfo=UTC)  # Monday 09:00 CEST
    assert monday[-1] + HOUR == datetime(2026, 3, 30, 15, tzinfo=UTC)  # ends 17:00 CEST


def test_buffers_keep_time_free_around_a_booking():
    noon = [(at("2026-03-02", "12:00"), at("2026-03-02", "13:00"))]
    plain = on(starts(rules(), "2026-03-02", busy=noon), "2026-03-02")
    assert plain == [start for start in FULL_DAY if start not in ("11:30", "12:00", "12:30")]

    buffered = rules(buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=15))
    # The booking was taken under the same buffers: it blocks 11:45 to 13:15.
    noon_blocked = [(at("2026-03-02", "11:45"), at("2026-03-02", "13:15"))]
    found = on(starts(buffered, "2026-03-02", busy=noon_blocked), "2026-03-02")
    # 10:30 (its buffer ends 11:45) and 13:30 (its buffer starts 13:15) touch and are fine.
    assert found == ["09:00", "09:30", "10:00", "10:30", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]


def test_adjacent_busy_time_does_not_block_but_one_minute_of_overlap_does():
    busy = [(at("2026-03-02", "10:00"), at("2026-03-02", "11:00"))]
    assert "09:00" in on(starts(rules(), "2026-03-02", busy=busy), "2026-03-02")
    busy = [(at("2026-03-02", "09:59"), at("2026-03-02", "10:00"))]
    found = on(starts(rules(), "2026-03-02", busy=busy), "2026-03-02")
    assert found == [s for s in FULL_DAY if s not in ("09:00", "09:30")]


def test_minimum_notice_removes_the_starts_too_close_to_now():
    now = "2026-03-02T10:10"
    assert on(starts(rules(), "2026-03-02", now=now), "2026-03-02") == FULL_DAY[3:]  # from 10:30
    two_hours = rules(notice=timedelta(hours=2))  # 12:10 at the earliest
    assert on(starts(two_hours, "2026-03-02", now=now), "2026-03-02") == FULL_DAY[7:]  # from 12:30
    assert on(starts(two_hours, "2026-03-02", "2026-03-03", now=now), "2026-03-03") == FULL_DAY


def test_horizon_ends_at_local_midnight_after_the_last_bookable_day():
    two_days = rules(horizon_days=2)  # Monday 10:00: Monday and Tuesday, nothing from Wednesday
    found = starts(two_days, "2026-03-02", "2026-03-06", now="2026-03-02T10:00")
    assert sorted({value[:10] for value in found}) == ["2026-03-02", "2026-03-03"]
    assert on(found, "2026-03-03") == FULL_DAY


def test_daily_limit_closes_only_the_full_day():
    tuesday = [at("2026-03-03", "09:00"), at("2026-03-03", "15:00")]
    found = starts(rules(daily_limit=2), "2026-03-02", "2026-03-04", counted=tuesday)
    assert on(found, "2026-03-02") == FULL_DAY
    assert on(found, "2026-03-03") == []
    assert on(found, "2026-03-04") == FULL_DAY
    # One booking fewer and the day stays open.
    found = starts(rules(daily_limit=2), "2026-03-03", counted=tuesday[:1])
    assert on(found, "2026-03-03") == FULL_DAY


def test_weekly_limit_counts_monday_to_sunday_in_the_consultants_time_zone():
    # Monday 00:30 in Berlin is still Sunday in UTC: it counts for the week it begins.
    counted = [at("2026-03-09", "00:30")]
    found = starts(rules(weekly_limit=1), "2026-03-06", "2026-03-16", counted=counted)
    assert sorted({value[:10] for value in found}) == ["2026-03-06", "2026-03-16"]
    assert on(found, "2026-03-06") == FULL_DAY


def test_a_day_off_override_removes_that_day_only():
    found = starts(rules(overrides={date(2026, 3, 3): []}), "2026-03-02", "2026-03-04")
    assert sorted({value[:10] for value in found}) == ["2026-03-02", "2026-03-04"]
    assert len(found) == 2 * len(FULL_DAY)


def test_override_hours_replace_the_weeks_hours_on_that_date():
    overrides = {date(2026, 3, 3): [(time(13), time(15))], date(2026, 3, 7): [(time(10), time(12))]}
    found = starts(rules(overrides=overrides), "2026-03-02", "2026-03-08")
    assert on(found, "2026-03-03") == ["13:00", "13:30", "14:00"]
    assert on(found, "2026-03-07") == ["10:00", "10:30", "11:00"]  # a Saturday, usually closed
    assert on(found, "2026-03-02") == FULL_DAY


def test_two_windows_on_one_day_each_step_from_their_own_start_and_never_repeat_a_start():
    split = rules(weekly={0: [(time(9), time(12)), (time(11), time(13)), (time(13, 15), time(15))]})
    found = on(starts(split, "2026-03-02"), "2026-03-02")
    assert found == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "13:15", "13:45"]


def test_slots_are_the_same_instants_whatever_zone_the_window_is_given_in():
    new_york = ZoneInfo("America/New_York")
    found_berlin = free_starts(
        rules(),
        duration=HOUR,
        busy=(),
        counted=(),
        now=at("2026-03-01"),
        window_from=at("2026-03-02"),
        window_to=at("2026-03-03"),
    )
    found_new_york = free_starts(
        rules(),
        duration=HOUR,
        busy=(),
        counted=(),
        now=at("2026-03-01"),
        window_from=at("2026-03-01", "18:00", new_york),
        window_to=at("2026-03-02", "18:00", new_york),
    )
    assert found_berlin == found_new_york
    assert found_new_york[0].astimezone(new_york).isoformat() == "2026-03-02T03:00:00-05:00"


# start_check: a start the API offered passes; every other start names the rule it breaks.

NOW = at("2026-03-02", "10:10")


def check(start: datetime, *, rule_set: Rules | None = None, busy=(), counted=(), duration=HOUR) -> None:
    start_check(rule_set or rules(), duration=duration, busy=busy, counted=counted, now=NOW, start=start)


def refusal(start: datetime, **given) -> tuple[str, int]:
    with pytest.raises(SlotRefused) as refused:
        check(start, **given)
    return refused.value.code, refused.value.status


def test_every_offered_start_passes_the_check():
    offered = free_starts(
        rules(), duration=HOUR, busy=(), counted=(), now=NOW, window_from=NOW, window_to=at("2026-03-10")
    )
    for start in offered:
        check(start)
    assert len(offered) == 12 + 5 * len(FULL_DAY)


@pytest.mark.parametrize(
    ("start", "given", "expected"),
    [
        (at("2026-03-03", "09:15"), {}, ("not_on_grid", 400)),
        (at("2026-03-03", "09:00") + timedelta(seconds=30), {}, ("not_on_grid", 400)),
        (at("2026-03-02", "09:30"), {}, ("in_the_past", 422)),
        (at("2026-03-02", "11:00"), {"rule_set": rules(notice=timedelta(hours=2))}, ("too_soon", 422)),
        (at("2026-03-04", "09:00"), {"rule_set": rules(horizon_days=2)}, ("beyond_horizon", 422)),
        (at("2026-03-07", "10:00"), {}, ("outside_hours", 422)),
        (at("2026-03-03", "08:00"), {}, ("outside_hours", 422)),
        (at("2026-03-03", "16:30"), {}, ("outside_hours", 422)),  # would end 17:30
        (
            at("2026-03-03", "10:00"),
            {"rule_set": rules(daily_limit=1), "counted": [at("2026-03-03", "15:00")]},
            ("limit_reached", 409),
        ),
        (
            at("2026-03-03", "10:00"),
            {"busy": [(at("2026-03-03", "10:30"), at("2026-03-03", "11:30"))]},
            ("slot_taken", 409),
        ),
    ],
    ids=[
        "off-grid",
        "seconds",
        "past",
        "notice",
        "horizon",
        "weekend",
        "before-hours",
        "ends-after-hours",
        "daily-limit",
        "overlap",
    ],
)
def test_a_start_outside_the_rules_is_refused_with_its_reason(start, given, expected):
    assert refusal(start, **given) == expected


def test_local_times_carry_the_offset_of_their_pass_through_the_repeated_hour():
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    expected = ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]
    assert [local_iso(first, BERLIN), local_iso(second, BERLIN)] == expected
    with freeze_time("2026-10-19"):  # its datetimes drop ``fold``; the offsets must not follow
        assert [local_iso(first + timedelta(0), BERLIN), local_iso(second + timedelta(0), BERLIN)] == expected
