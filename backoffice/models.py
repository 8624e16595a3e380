"""What the reports read instead of raw data: engagement rolled up per video and day.

The player's progress reports land in :class:`media_pipeline.models.WatchDay` (one row per viewer,
video and day); :mod:`backoffice.engagement` folds those into :class:`VideoEngagementDay`, so a
report over a year reads at most one row per video and day, never the viewers' rows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Drop-off is measured in tenths of the video: reached[k] counts the viewers who got at least
# k/10 of the way in (reached[0] is everyone who started).
DROP_OFF_BUCKETS = 10


class VideoEngagementDay(models.Model):
    video_key = models.UUIDField(help_text="translation_key of the video page.")
    day = models.DateField(help_text="The day in the studio's time zone (TIME_ZONE).")
    watch_seconds = models.FloatField(default=0, help_text="Seconds newly played that day.")
    viewers = models.PositiveIntegerField(default=0, help_text="Viewers who played any of it that day.")
    starts = models.PositiveIntegerField(default=0, help_text="Viewers who played it for the first time.")
    completions = models.PositiveIntegerField(default=0, help_text="Viewers who completed it that day.")
    # Of the viewers who started that day: how many reached each tenth (see DROP_OFF_BUCKETS).
    reached = models.JSONField(default=list, blank=True)
    rolled_up_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video_key", "day"], name="backoffice_engagement_one_per_day"),
        ]
        indexes = [models.Index(fields=["day"], name="backoffice_engagement_day")]
        default_permissions = ()
        permissions = [
            ("view_reports", _("Can see the business reports")),
            ("serve_customers", _("Can look up customers and grant or revoke their access")),
        ]
        verbose_name = _("video engagement per day")

    def __str__(self) -> str:
        return f"{self.video_key} {self.day}"
