"""The sample year's viewing: viewers watching the catalogue's videos, one WatchDay per viewer,
video and day as the progress reports leave it, then rolled up like the beat task does."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils import timezone

from backoffice.engagement import engagement_roll_up
from backoffice.reports.base import studio_zone
from cms.models import VideoPage
from demo.sample_year.common import BATCH
from media_pipeline.models import WatchDay


def viewing_create(rng, users, first_day: date, today: date, progress) -> int:
    """Viewers watching the catalogue's videos over the year, as the progress reports leave it
    (one WatchDay per viewer, video and day), then rolled up like the beat task does."""
    videos = _video_keys()
    rows = []
    viewers = [user for user in users if rng.random() < 0.5]
    for user in viewers:
        for key, duration in rng.sample(videos, k=min(len(videos), rng.randint(1, 4))):
            earliest = max(first_day, timezone.localtime(user.date_joined, studio_zone()).date())
            day = earliest + timedelta(days=rng.randrange(max(1, (today - earliest).days + 1)))
            # Most stop somewhere; the further in, the fewer get there.
            furthest = duration * min(1.0, rng.betavariate(2.2, 1.2))
            watched = 0.0
            sessions = rng.randint(1, 3)
            for session in range(sessions):
                if day > today:
                    break
                part = furthest / sessions
                watched += part
                rows.append(
                    WatchDay(
                        user=user,
                        video_key=key,
                        day=day,
                        seconds=round(part, 1),
                        furthest_seconds=round(furthest if session == 0 else watched, 1),
                        duration_seconds=duration,
                        started=session == 0,
                        completed=session == sessions - 1 and furthest >= 0.9 * duration,
                    )
                )
                day += timedelta(days=rng.randint(1, 6))
    WatchDay.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    progress("sample viewing", len(rows), len(rows))
    engagement_roll_up()
    return len(rows)


def _video_keys() -> list[tuple[uuid.UUID, float]]:
    """(translation key, duration) of the catalogue's videos; invented ones when there are none."""
    found = []
    for page in VideoPage.objects.filter(locale__language_code="de").order_by("pk")[:40]:
        duration = None
        video = getattr(page, "video", None)
        if video is not None:
            duration = getattr(video, "duration_seconds", None) or getattr(video, "duration", None)
        found.append((page.translation_key, float(duration or 600)))
    if found:
        return found
    return [(uuid.uuid5(uuid.NAMESPACE_URL, f"phialo-sample/video/{n}"), 300.0 + 120 * n) for n in range(8)]
