"""Watch progress: where a viewer stopped, and which seconds they have actually played.

The player reports its position and the ranges it played (its ``played`` time ranges, or what it
played since the last report). The ranges are merged with those stored, so a report never takes
away what an earlier one gave, and the seconds watched are the length of their union: watching
the first minute twice counts one minute, and jumping to the end counts nothing. A video is
completed once :data:`~media_pipeline.selectors.COMPLETION_SHARE` of its seconds have been
played, and stays completed. The position is kept as reported; where playback resumes is decided
when it is read (:func:`media_pipeline.selectors.resume_position`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from config.errors import ApiError
from media_pipeline import selectors
from media_pipeline.models import WatchProgress
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
    progress.watched_ranges = merged
    progress.watched_seconds = _seconds(ranges_seconds(merged))
    progress.position_seconds = _seconds(min(position_seconds, duration))
    progress.duration_seconds = duration
    if (
        progress.completed_at is None
        and duration > 0
        and progress.watched_seconds >= COMPLETION_SHARE * duration
    ):
        progress.completed_at = timezone.now()
    progress.save()
    return progress
