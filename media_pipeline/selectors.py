"""Reads for playback and progress, each in one query.

The pipeline imports nothing of the catalogue (../shared/DESIGN.md, "Which way the imports
point"). What it needs of a video page it reads from the page model that declares the ``pages``
relation on :class:`~media_pipeline.models.VideoAsset` (:func:`media_pipeline.pages.video_page_model`):
a Wagtail page with ``translation_key``, ``live``, ``free_preview`` and ``video``. The German and
the English page share one asset, so a video is found by its translation key in either language.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import FloatField, OuterRef, Subquery, Value

from media_pipeline.models import VideoAsset, WatchProgress
from media_pipeline.pages import video_page_model

# What playback reads of an asset (never its key: only the key endpoint reads that).
PLAYBACK_ASSET_FIELDS = (
    "id",
    "uuid",
    "status",
    "generation",
    "hls_prefix",
    "master_playlist",
    "renditions",
    "poster",
    "storyboard_vtt",
    "preview_playlist",
    "preview_seconds",
    "duration",
    "duration_seconds",
)
# Within this much of the end a video starts again from the beginning, as on YouTube or Vimeo:
# the larger of these seconds and this share of its duration.
RESUME_END_SECONDS = 5.0
RESUME_END_SHARE = 0.05
# A video counts as completed once this share of its seconds has actually been played.
COMPLETION_SHARE = 0.9


def video_pages():
    """The live catalogue video pages."""
    return video_page_model().objects.live()


@dataclass(frozen=True)
class CaptionTrack:
    language: str
    label: str
    file: str  # storage name


@dataclass(frozen=True)
class PlayableVideo:
    key: uuid.UUID
    free_preview: bool
    asset: VideoAsset | None  # only PLAYBACK_ASSET_FIELDS loaded; None: no video uploaded yet
    captions: tuple[CaptionTrack, ...]
    position_seconds: float | None  # where the viewer stopped last time; None: never watched


def _position(viewer_id: int | None):
    if viewer_id is None:
        return Value(None, output_field=FloatField())
    return Subquery(
        WatchProgress.objects.filter(user_id=viewer_id, video_key=OuterRef("translation_key")).values(
            "position_seconds"
        )[:1],
        output_field=FloatField(),
    )


def playable_video(video_key: uuid.UUID, *, viewer_id: int | None = None) -> PlayableVideo | None:
    """The live video with ``video_key``: its asset, the asset's captions and the viewer's saved
    position, in one query (a row per page and caption, folded here). ``None``: no such live video."""
    asset_columns = [f"video__{name}" for name in PLAYBACK_ASSET_FIELDS]
    rows = list(
        video_pages()
        .filter(translation_key=video_key)
        .annotate(saved_position=_position(viewer_id))
        .order_by("path", "video__captions__language")
        .values(
            "free_preview",
            "saved_position",
            *asset_columns,
            "video__captions__language",
            "video__captions__label",
            "video__captions__file",
        )
    )
    if not rows:
        return None
    first = rows[0]
    asset = None
    if first["video__id"] is not None:
        # An instance with only these fields loaded; from_db takes them in the model's field order.
        names = [
            field.attname
            for field in VideoAsset._meta.concrete_fields
            if field.attname in PLAYBACK_ASSET_FIELDS
        ]
        asset = VideoAsset.from_db(VideoAsset.objects.db, names, [first[f"video__{name}"] for name in names])
    captions: dict[str, CaptionTrack] = {}
    for row in rows:
        language = row["video__captions__language"]
        if language and language not in captions:
            captions[language] = CaptionTrack(
                language, row["video__captions__label"], row["video__captions__file"]
            )
    return PlayableVideo(
        key=video_key,
        free_preview=first["free_preview"],
        asset=asset,
        captions=tuple(captions.values()),
        position_seconds=first["saved_position"],
    )


def asset_key_sealed(*, video_key: uuid.UUID, asset_id: int, generation: int) -> str | None:
    """The sealed content key of ``asset_id`` while its ``generation`` is the published one and a
    live page of ``video_key`` still shows it (one query); ``None`` otherwise."""
    return (
        video_pages()
        .filter(
            translation_key=video_key,
            video_id=asset_id,
            video__generation=generation,
            video__status=VideoAsset.Status.READY,
        )
        .values_list("video__content_key_sealed", flat=True)
        .first()
    )


def video_duration(video_key: uuid.UUID) -> float | None:
    """Seconds of the live video with ``video_key`` (its asset's, else what the editor entered; 0
    when neither is known), or ``None`` when there is no such live video. One query."""
    row = (
        video_pages()
        .filter(translation_key=video_key)
        .order_by("path")
        .values_list("video__duration", "duration_seconds")
        .first()
    )
    if row is None:
        return None
    exact, entered = row
    return float(exact or entered or 0)


# ---- Progress -------------------------------------------------------------------------------


def resume_position(position: float, duration: float) -> float:
    """Where playback starts again: where the viewer stopped, or the beginning near the end."""
    if duration > 0 and position >= duration - max(RESUME_END_SECONDS, duration * RESUME_END_SHARE):
        return 0.0
    return max(position, 0.0)


@dataclass(frozen=True)
class ProgressSummary:
    video_key: uuid.UUID
    position_seconds: float
    resume_at_seconds: float
    watched_seconds: float
    duration_seconds: float
    completed_at: datetime | None
    watched_ranges: list[list[float]]

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def percent(self) -> int:
        """Share of the video actually played, 0-100 (100 once completed)."""
        if self.completed:
            return 100
        if self.duration_seconds <= 0:
            return 0
        return min(99, int(self.watched_seconds * 100 / self.duration_seconds))


def progress_summary(progress: WatchProgress) -> ProgressSummary:
    return ProgressSummary(
        video_key=progress.video_key,
        position_seconds=progress.position_seconds,
        resume_at_seconds=resume_position(progress.position_seconds, progress.duration_seconds),
        watched_seconds=progress.watched_seconds,
        duration_seconds=progress.duration_seconds,
        completed_at=progress.completed_at,
        watched_ranges=progress.watched_ranges,
    )


def progress_none(video_key: uuid.UUID, duration: float) -> ProgressSummary:
    """The progress of a video never played."""
    return ProgressSummary(video_key, 0.0, 0.0, 0.0, duration, None, [])


def progress_for(user, video_keys: Iterable[uuid.UUID]) -> dict[uuid.UUID, ProgressSummary]:
    """``{video_key: ProgressSummary}`` of the videos ``user`` has progress for, in one query
    (none for an anonymous user). Videos never played are absent."""
    keys = set(video_keys)
    if not keys or not getattr(user, "is_authenticated", False):
        return {}
    rows = WatchProgress.objects.filter(user_id=user.pk, video_key__in=keys)
    return {row.video_key: progress_summary(row) for row in rows}


def progress_of_video(user, video_key: uuid.UUID) -> ProgressSummary | None:
    """``user``'s progress on one live video (zeros when never played), or ``None`` when there
    is no such live video."""
    duration = video_duration(video_key)
    if duration is None:
        return None
    return progress_for(user, [video_key]).get(video_key) or progress_none(video_key, duration)


@dataclass(frozen=True)
class CourseProgress:
    course_key: uuid.UUID
    completed_lessons: int
    total_lessons: int
    # The lesson to continue with: the first one not completed, in course order (None: all done).
    next_lesson: uuid.UUID | None

    @property
    def completed(self) -> bool:
        return self.total_lessons > 0 and self.completed_lessons == self.total_lessons

    @property
    def percent(self) -> int:
        return self.completed_lessons * 100 // self.total_lessons if self.total_lessons else 0


def course_progress_for(
    user, lessons: Mapping[uuid.UUID, Iterable[uuid.UUID]]
) -> dict[uuid.UUID, CourseProgress]:
    """``{course_key: CourseProgress}`` for the courses in ``lessons`` (course key -> its lessons'
    video keys, in course order, as the catalogue gives them), in one query for all of them.

    The catalogue's lesson lists come from the caller: the pipeline does not read courses.
    """
    ordered = {course: list(dict.fromkeys(videos)) for course, videos in lessons.items()}
    done = {
        key
        for key, summary in progress_for(user, {key for videos in ordered.values() for key in videos}).items()
        if summary.completed
    }
    return {
        course: CourseProgress(
            course_key=course,
            completed_lessons=sum(1 for key in videos if key in done),
            total_lessons=len(videos),
            next_lesson=next((key for key in videos if key not in done), None),
        )
        for course, videos in ordered.items()
    }
