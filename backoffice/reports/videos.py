"""Top videos: watch time, starts, completions and where viewers drop off, per video over a range.

Reads only the rolled-up :class:`~backoffice.models.VideoEngagementDay` (one grouped query) and
the videos' titles (one query), never the viewers' rows, so a year costs what a week does.

What the figures mean over a range of days:

- *viewer-days*: the daily viewer counts added up; one person watching on three days counts three
  times (the daily roll-up cannot tell people apart across days, and need not: it keeps no names);
- *starts* and *completions* count each viewer once ever (the day they first played it, the day
  they completed it), so the completion rate is completions per start within the range;
- *drop-off* and *average reach* describe the range's starters: how far into the video each got
  (by tenths), wherever they watched on, as far as the last roll-up saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from backoffice.models import DROP_OFF_BUCKETS, VideoEngagementDay
from backoffice.reports.base import Column, Filter, Report, register, share
from cms.models import VideoPage

CHART_VIDEOS = 25
ORDERS = {
    "watch_time": lambda row: (-row["watch_seconds"], -row["starts"]),
    "completion_rate": lambda row: (-row["completion_rate"], -row["starts"]),
    "starts": lambda row: (-row["starts"], -row["watch_seconds"]),
}


@dataclass(frozen=True)
class DropOff:
    """Where the starters stopped, from ``reached`` (how many got to at least k tenths)."""

    reached: tuple[int, ...]

    @property
    def starters(self) -> int:
        return self.reached[0] if self.reached else 0

    def stopped(self) -> list[int]:
        """How many stopped within each tenth (the last tenth holds those who reached the end)."""
        after = list(self.reached[1:]) + [0]
        return [here - further for here, further in zip(self.reached, after, strict=True)]

    @property
    def tenth(self) -> int | None:
        """The tenth in which the largest number stopped (the earlier one on a tie)."""
        if not self.starters:
            return None
        stopped = self.stopped()
        return stopped.index(max(stopped))

    @property
    def label(self) -> str:
        tenth = self.tenth
        return "" if tenth is None else f"{tenth * 10}–{(tenth + 1) * 10} %"

    @property
    def share(self) -> float | None:
        tenth = self.tenth
        return None if tenth is None else share(self.stopped()[tenth], self.starters)

    @property
    def average_reach(self) -> float | None:
        """How far the starters got on average, each counted at the middle of their tenth."""
        if not self.starters:
            return None
        return (sum(self.reached[1:]) + self.starters / 2) / (DROP_OFF_BUCKETS * self.starters)


def video_titles(keys) -> dict[Any, str]:
    """ "German title (English title)" per translation key; the English in brackets only where it
    differs, either alone where the other is missing."""
    source = settings.LANGUAGE_CODE
    found: dict[Any, dict[str, str]] = {}
    for key, language, title in VideoPage.objects.filter(translation_key__in=keys).values_list(
        "translation_key", "locale__language_code", "title"
    ):
        found.setdefault(key, {})[language] = title
    titles = {}
    for key, by_language in found.items():
        main = by_language.get(source)
        others = [title for language, title in sorted(by_language.items()) if language != source]
        if main is None:
            main, others = others[0], others[1:]
        extra = next((title for title in others if title != main), None)
        titles[key] = f"{main} ({extra})" if extra else main
    return titles


@register
class VideosReport(Report):
    slug = "videos"
    title = _("Top videos")
    description = _(
        "Per video over the range: watch time, viewer-days (a viewer counts once for each day they "
        "watched), starts, completions and completion rate (completions per start), the tenth of "
        "the video where most of the range's starters stopped, and how far they got on average. "
        "Figures are rolled up every 15 minutes."
    )
    grains = ()
    columns = [
        Column("title", _("Video"), "text"),
        Column("watch_hours", _("Watch time (hours)"), "hours"),
        Column("viewers", _("Viewer-days"), "int"),
        Column("starts", _("Starts"), "int"),
        Column("completions", _("Completions"), "int"),
        Column("completion_rate", _("Completion rate"), "percent"),
        Column("drop_off", _("Drop-off point"), "text"),
        Column("drop_off_share", _("Stopped there"), "percent"),
        Column("average_reach", _("Average reach"), "percent"),
    ]
    filters = {
        "order": Filter(
            _("Order by"),
            (
                ("watch_time", _("Watch time")),
                ("completion_rate", _("Completion rate")),
                ("starts", _("Starts")),
            ),
            default="watch_time",
        )
    }

    def _figures(self):
        reached = {
            f"reached_{k}": Sum(Cast(KT(f"reached__{k}"), IntegerField())) for k in range(DROP_OFF_BUCKETS)
        }
        return (
            VideoEngagementDay.objects.filter(day__gte=self.period.start, day__lte=self.period.end)
            .values("video_key")
            .annotate(
                watch_seconds=Sum("watch_seconds"),
                viewers=Sum("viewers"),
                starts=Sum("starts"),
                completions=Sum("completions"),
                **reached,
            )
            .order_by()
        )

    @staticmethod
    def _row(title: str, figures: dict[str, Any]) -> dict[str, Any]:
        drop_off = DropOff(tuple(int(figures[f"reached_{k}"] or 0) for k in range(DROP_OFF_BUCKETS)))
        watch_seconds = float(figures["watch_seconds"] or 0)
        starts = int(figures["starts"] or 0)
        completions = int(figures["completions"] or 0)
        return {
            "title": title,
            "watch_seconds": watch_seconds,
            "watch_hours": watch_seconds / 3600,
            "viewers": int(figures["viewers"] or 0),
            "starts": starts,
            "completions": completions,
            "completion_rate": share(completions, starts),
            "drop_off": drop_off.label,
            "drop_off_share": drop_off.share,
            "average_reach": drop_off.average_reach,
            "reached": drop_off.reached,
        }

    @cached_property
    def _rows(self) -> list[dict[str, Any]]:
        figures = [row for row in self._figures() if row["viewers"] or row["watch_seconds"]]
        titles = video_titles([row["video_key"] for row in figures])
        rows = [
            self._row(titles.get(row["video_key"], str(row["video_key"])), row)
            | {"video_key": row["video_key"]}
            for row in figures
        ]
        order = ORDERS[self.options.get("order") or "watch_time"]
        return sorted(rows, key=lambda row: (*order(row), row["title"]))

    def rows(self) -> list[dict[str, Any]]:
        return self._rows

    def totals(self) -> dict[str, Any] | None:
        if not self._rows:
            return None
        summed = {
            key: sum(row[key] for row in self._rows)
            for key in ("watch_seconds", "viewers", "starts", "completions")
        }
        for k in range(DROP_OFF_BUCKETS):
            summed[f"reached_{k}"] = sum(row["reached"][k] for row in self._rows)
        return self._row(str(_("Total")), summed)

    def chart(self) -> dict[str, Any]:
        top = self._rows[:CHART_VIDEOS]
        return {
            "type": "bar",
            "horizontal": True,
            "labels": [row["title"] for row in top],
            "datasets": [
                {"label": str(_("Watch time (hours)")), "data": [round(row["watch_hours"], 2) for row in top]}
            ],
        }
