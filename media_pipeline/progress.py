"""Watch progress: where a viewer stopped, and which seconds they have actually played.

The player reports its position and the ranges it played (its ``played`` time ranges, or what it
played since the last report). The ranges are merged with those stored, so a report never takes
away what an earlier one gave, and the seconds watched are the length of their union: watching
the first minute twice counts one minute, and jumping to the end counts nothing. A video is
completed once :data:`~media_pipeline.selectors.COMPLETION_SHARE` of its seconds have been
played, and stays completed. The position is kept as reported; where playback resumes is decided
when it is read (:func:`media_pipeline.selectors.resume_position`).

Each report that played something also lands in the viewer's :class:`~media_pipeline.models.WatchDay`
of the studio's day (``TIME_ZONE``): the seconds it newly added, whether the viewer started or
completed the video that day, and how far they have got. The back office rolls those rows up into
its per-video figures (:mod:`backoffice.engagement`), so its reports never read viewers' rows.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.errors import ApiError
from media_pipeline import selectors
from media_pipeline.models import WatchDay, WatchProgress
from media_pipeline.playback import may_watch
from media_pipeline.selectors import COMPLETION_SHARE

MAX_RANGES_PER_REPORT = 200
# Disjoint ranges kept per viewer and video: far more than real viewing makes, few enough that a
# client cannot grow a row without bound.
MAX_STORED_RANGES = 1000
# Players report a little past the end (rounding, the last frame): the larger of these.
END_TOLERANCE_SECONDS = 2.0
END_TOLERANCE_SHARE = 0.01


def ranges_merge(*groups: Iterable[Sequence[float]]) -> list[list[float]]:
    """The union of ``[start, end]`` ranges: sorted, without overlaps; touching ranges join."""
    spans = sorted((float(start), float(end)) for group in groups for start, end in group if end > start)
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def ranges_seconds(ranges: Iterable[Sequence[float]]) -> float:
    return sum(end - start for start, end in ranges)


def _seconds(value: float) -> float:
    return round(value, 3)


def _check_bounds(duration: float, position: float, ranges: Sequence[Sequence[float]]) -> None:
    limit = duration + max(END_TOLERANCE_SECONDS, duration * END_TOLERANCE_SHARE)
    fields: dict[str, list[str]] = {}
    if position > limit:
        fields["position_seconds"] = [f"The video is {duration:.1f} seconds long."]
    beyond = [index for index, (_start, end) in enumerate(ranges) if end > limit]
    if beyond:
        fields["watched_ranges"] = [
            f"Range {beyond[0]} ends after the end of the video ({duration:.1f} seconds)."
        ]
    if fields:
        raise ApiError("invalid", "Some fields are not valid.", fields=fields)


def progress_report(
    *, user, video_key: uuid.UUID, position_seconds: float, watched_ranges: Sequence[Sequence[float]]
) -> WatchProgress:
    """A signed-in viewer's player reports on the live video ``video_key``. 404
    ``video_not_found``; 403 ``purchase_required`` unless they may watch it (progress is recorded
    only for what is being watched); 409 ``video_not_ready`` while its length is unknown."""
    duration = selectors.video_duration(video_key)
    if duration is None:
        raise ApiError("video_not_found", "There is no such video.", status=404)
    if not may_watch(user, video_key):
        raise ApiError("purchase_required", "Progress is kept only for videos you may watch.", status=403)
    if duration <= 0:
        raise ApiError("video_not_ready", "This video is still being prepared.", status=409)
    return progress_record(
        user=user,
        video_key=video_key,
        duration=duration,
        position_seconds=position_seconds,
        watched_ranges=watched_ranges,
    )


@transaction.atomic
def progress_record(
    *,
    user,
    video_key: uuid.UUID,
    duration: float,
    position_seconds: float,
    watched_ranges: Sequence[Sequence[float]],
) -> WatchProgress:
    """Store a player's report on ``video_key`` (``duration`` seconds long) for ``user``.

    Ranges must lie within the video (a small tolerance past its end is cut off); concurrent reports
    (two tabs) are applied one after the other under a row lock, so neither loses the other's ranges.
    """
    _check_bounds(duration, position_seconds, watched_ranges)
    reported = [
        [_seconds(min(start, duration)), _seconds(min(end, duration))] for start, end in watched_ranges
    ]
    progress, _created = WatchProgress.objects.select_for_update().get_or_create(
        user=user, video_key=video_key
    )
    merged = ranges_merge(progress.watched_ranges, reported)
    if len(merged) > MAX_STORED_RANGES:
        raise ApiError(
            "too_many_ranges",
            f"At most {MAX_STORED_RANGES} separate watched ranges are kept per video.",
            fields={"watched_ranges": ["Report longer, continuous ranges."]},
        )
    before_ranges, before_seconds = progress.watched_ranges, progress.watched_seconds
    progress.watched_ranges = merged
    progress.watched_seconds = _seconds(ranges_seconds(merged))
    progress.position_seconds = _seconds(min(position_seconds, duration))
    progress.duration_seconds = duration
    completed_now = (
        progress.completed_at is None
        and duration > 0
        and progress.watched_seconds >= COMPLETION_SHARE * duration
    )
    if completed_now:
        progress.completed_at = timezone.now()
    progress.save()
    if ranges_merge(reported):
        furthest = merged[-1][1]
        _watch_day_record(
            user_id=progress.user_id,
            video_key=video_key,
            duration=duration,
            seconds=max(0.0, _seconds(progress.watched_seconds - before_seconds)),
            furthest=furthest,
            started=not before_ranges,
            completed=completed_now,
            # The furthest point moved on: the row of the day they started must follow it.
            furthest_grew=bool(before_ranges) and furthest > before_ranges[-1][1],
        )
    return progress


def studio_day(moment: datetime) -> date:
    """The studio's calendar day (``TIME_ZONE``) of an instant, whatever zone is active."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


# One statement, so a report costs one query more; two when the viewer got further than ever on a
# later day than they started (the upsert returns whether today is their start day). The
# WatchProgress row lock already orders the reports of one viewer and video, so adding to
# ``seconds`` never races. Plain SQL because the ORM's upsert can only overwrite a column, not add
# to it; PostgreSQL and SQLite (local development) both read it.
_WATCH_DAY_COLUMNS = (
    "user_id",
    "video_key",
    "day",
    "seconds",
    "furthest_seconds",
    "duration_seconds",
    "started",
    "completed",
    "updated_at",
)
_WATCH_DAY_UPSERT = """
INSERT INTO {table} ({columns}) VALUES ({values})
ON CONFLICT (user_id, video_key, day) DO UPDATE SET
    seconds = {table}.seconds + EXCLUDED.seconds,
    furthest_seconds = {greatest}({table}.furthest_seconds, EXCLUDED.furthest_seconds),
    duration_seconds = EXCLUDED.duration_seconds,
    started = {table}.started OR EXCLUDED.started,
    completed = {table}.completed OR EXCLUDED.completed,
    updated_at = EXCLUDED.updated_at
RETURNING started
"""


def _watch_day_record(
    *,
    user_id: int,
    video_key: uuid.UUID,
    duration: float,
    seconds: float,
    furthest: float,
    started: bool,
    completed: bool,
    furthest_grew: bool,
) -> None:
    """Add one report to the viewer's :class:`WatchDay` of today. ``started``: the first report
    that played anything of this video; ``completed``: the report that completed it."""
    now = timezone.now()
    values = (user_id, video_key, studio_day(now), seconds, furthest, duration, started, completed, now)
    fields = [WatchDay._meta.get_field(column.removesuffix("_id")) for column in _WATCH_DAY_COLUMNS]
    sql = _WATCH_DAY_UPSERT.format(
        table=connection.ops.quote_name(WatchDay._meta.db_table),
        columns=", ".join(_WATCH_DAY_COLUMNS),
        values=", ".join(["%s"] * len(_WATCH_DAY_COLUMNS)),
        greatest="MAX" if connection.vendor == "sqlite" else "GREATEST",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [field.get_db_prep_value(value, connection) for field, value in zip(fields, values, strict=True)],
        )
        (started_today,) = cursor.fetchone()
    if furthest_grew and not started_today:
        # ``updated_at`` changes with it, so the roll-up recomputes that day's drop-off.
        WatchDay.objects.filter(
            user_id=user_id, video_key=video_key, started=True, furthest_seconds__lt=furthest
        ).update(furthest_seconds=furthest, duration_seconds=duration, updated_at=now)
