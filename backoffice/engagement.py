"""Engagement roll-up: the viewers' :class:`~media_pipeline.models.WatchDay` rows folded into one
:class:`~backoffice.models.VideoEngagementDay` per video and day, which is all the reports read.

Every (video, day) with a WatchDay row written since the last run is aggregated again from all of
that day's rows and its figures replace the stored ones, so running twice, or over a pair that did
not change, gives the same figures. The watermark is the latest ``rolled_up_at`` less
:data:`ROLL_UP_OVERLAP`: a progress report stamps its row a moment before it commits, and a run that
read just before that commit must not leave the row behind; the overlap makes the next run take it.
Beat runs ``backoffice.tasks.roll_up`` every 15 minutes; the demo data calls
:func:`engagement_roll_up` directly (``rebuild=True`` after replacing the viewers' rows).
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from backoffice.models import DROP_OFF_BUCKETS, VideoEngagementDay
from media_pipeline.models import WatchDay

# Longer than any progress report's transaction; what it costs is re-aggregating the pairs that
# changed in the last few minutes once more.
ROLL_UP_OVERLAP = timedelta(minutes=10)
WRITE_BATCH = 1000
# PostgreSQL advisory lock held by a running roll-up (any fixed number unique in the project).
ROLL_UP_LOCK = zlib.crc32(b"backoffice.engagement.roll_up")


def _lock_taken() -> bool:
    """Take the roll-up's lock for this transaction; False while another run holds it. SQLite
    (local development) writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ROLL_UP_LOCK])
        return bool(cursor.fetchone()[0])


def roll_up_watermark() -> datetime | None:
    """Where the next run starts reading WatchDay changes; None before the first run (all)."""
    latest = VideoEngagementDay.objects.aggregate(latest=Max("rolled_up_at"))["latest"]
    return latest - ROLL_UP_OVERLAP if latest else None


def engagement_figures(since: datetime | None):
    """The figures of every (video_key, day) with a WatchDay row updated at or after ``since``
    (all pairs when None), aggregated over all of that day's rows: one grouped query."""
    rows = WatchDay.objects.all()
    if since is not None:
        changed = WatchDay.objects.filter(
            updated_at__gte=since, video_key=OuterRef("video_key"), day=OuterRef("day")
        )
        rows = rows.filter(Exists(changed))
    # furthest/duration >= k/10, compared as furthest*10 >= k*duration so no tenth is lost to
    # floating point (0.1 * 600 is not 60).
    rows = rows.alias(furthest_tenths=F("furthest_seconds") * DROP_OFF_BUCKETS)
    reached = {
        f"reached_{k}": Count("pk", filter=Q(started=True, furthest_tenths__gte=F("duration_seconds") * k))
        for k in range(DROP_OFF_BUCKETS)
    }
    return (
        rows.values("video_key", "day")
        .annotate(
            watch_seconds=Sum("seconds"),
            viewers=Count("pk"),
            starts=Count("pk", filter=Q(started=True)),
            completions=Count("pk", filter=Q(completed=True)),
            **reached,
        )
        .order_by()
    )


@transaction.atomic
def engagement_roll_up(since: datetime | None = None, *, rebuild: bool = False) -> int | None:
    """Recompute the VideoEngagementDay of every (video, day) whose WatchDay rows changed since
    ``since`` (default: since the last run, see the module's note; everything on the first run).
    ``rebuild`` starts from nothing (after demo data was replaced, or viewers' rows deleted).
    Returns how many rows were written, or None when another run holds the lock (it does the
    work; what it misses, the next run's overlap takes)."""
    if not _lock_taken():
        return None
    if rebuild:
        VideoEngagementDay.objects.all().delete()
    elif since is None:
        since = roll_up_watermark()
    now = timezone.now()
    written = 0
    batch: list[VideoEngagementDay] = []
    for row in engagement_figures(since).iterator(chunk_size=WRITE_BATCH):
        batch.append(
            VideoEngagementDay(
                video_key=row["video_key"],
                day=row["day"],
                watch_seconds=round(row["watch_seconds"] or 0.0, 3),
                viewers=row["viewers"],
                starts=row["starts"],
                completions=row["completions"],
                reached=[row[f"reached_{k}"] for k in range(DROP_OFF_BUCKETS)],
                rolled_up_at=now,
            )
        )
        if len(batch) >= WRITE_BATCH:
            written += _write(batch)
            batch = []
    if batch:
        written += _write(batch)
    return written


def _write(batch: list[VideoEngagementDay]) -> int:
    VideoEngagementDay.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["video_key", "day"],
        update_fields=["watch_seconds", "viewers", "starts", "completions", "reached", "rolled_up_at"],
    )
    return len(batch)
