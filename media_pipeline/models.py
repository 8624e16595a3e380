"""Video assets, their captions, and what viewers have watched.

A German ``VideoPage`` and its English translation point at the same :class:`VideoAsset`
(captions may differ per language). Processing writes every output of a run under a fresh
``generation`` directory and publishes it in one update (``hls_prefix`` and the key change
together), so a viewer never sees half of a run, and running again never mixes two runs.
"""

import uuid

from django.conf import settings
from django.db import models

from core.storage import private_storage


class VideoAsset(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # Names the asset's directory in storage (``hls/<uuid>/...``): not guessable from the pk.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=255)
    # The unencrypted video: private storage only (core.storage), never a public URL. Empty
    # once processed when MEDIA_DELETE_SOURCES_AFTER_PROCESSING is on.
    source = models.FileField(upload_to="video-sources/", storage=private_storage, blank=True, max_length=500)
    source_size = models.BigIntegerField(default=0, help_text="Bytes of the uploaded source.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    failure_reason = models.TextField(blank=True)
    # Processing as staff see it: the step running and how far the whole run is (0-100).
    # ``stage``: "queued", a running step ("fetching", "probing", "encoding", "uploading",
    # "publishing"), then "done" or "failed" (media_pipeline.services). A ``ready``
    # asset stays ``ready`` while it is processed again: its published run keeps playing.
    stage = models.CharField(max_length=32, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # Runs started. Also the number of the latest run: it writes into ``g<attempts>``, and may
    # publish only while no later run has claimed the asset.
    attempts = models.PositiveIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    # What probing found in the source.
    duration_seconds = models.PositiveIntegerField(default=0)
    duration = models.FloatField(default=0, help_text="Seconds, exact.")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    probe = models.JSONField(default=dict, blank=True)

    # The published run. Paths are storage names relative to ``hls_prefix``.
    generation = models.PositiveIntegerField(default=0)
    hls_prefix = models.CharField(max_length=255, blank=True, help_text="e.g. hls/<uuid>/g3/")
    # [{"name": "540p", "width": 960, "height": 540, "bandwidth": 1800000,
    #   "codecs": "avc1.4d401f,mp4a.40.2", "playlist": "540p/index.m3u8", "first_segment_bytes": 812345}]
    # in the order of the master playlist (the first is the start rung).
    renditions = models.JSONField(default=list, blank=True)
    master_playlist = models.CharField(max_length=255, blank=True)
    # AES-128 content key of the published run, sealed with settings.MEDIA_KEY_SECRET
    # (media_pipeline.keys); never stored in plain text.
    content_key_sealed = models.TextField(blank=True)
    poster = models.CharField(max_length=255, blank=True)
    thumbnails = models.JSONField(default=list, blank=True)
    storyboard_image = models.CharField(max_length=255, blank=True)
    storyboard_vtt = models.CharField(max_length=255, blank=True)
    # The free preview: the first ``preview_seconds``, unencrypted, playable without a login.
    preview_playlist = models.CharField(max_length=255, blank=True)
    preview_seconds = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.hls_prefix)


class Caption(models.Model):
    """WebVTT subtitles for one language of an asset."""

    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    label = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="captions/", max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "language"], name="caption_one_per_language"),
        ]
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.asset} ({self.language})"


class WatchProgress(models.Model):
    """How much of a video a viewer has watched. Keyed on the page's translation key, so the
    German and the English page share it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_progress"
    )
    video_key = models.UUIDField()
    position_seconds = models.FloatField(default=0)
    # Merged, sorted, non-overlapping [[start, end], ...] in seconds actually played.
    watched_ranges = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "video_key"], name="watch_progress_one_per_video"),
        ]
        indexes = [models.Index(fields=["video_key"], name="watch_progress_video")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.video_key} {self.position_seconds:.0f}s"


class WatchDay(models.Model):
    """One viewer's watching of one video on one day (the studio's time zone): written with each
    progress report, rolled up into the back office's per-video figures
    (:mod:`backoffice.engagement`), so reports never read these rows per request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    video_key = models.UUIDField()
    day = models.DateField()
    seconds = models.FloatField(default=0, help_text="Seconds newly played that day.")
    # The furthest second reached so far; on the row of the day they started, kept up to date as
    # the viewer goes on, so the drop-off of that day's starters is where they really stopped.
    furthest_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(default=0)
    started = models.BooleanField(default=False, help_text="The viewer's first day with this video.")
    completed = models.BooleanField(default=False, help_text="The viewer completed the video that day.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "video_key", "day"], name="watch_day_one_per_day"),
        ]
        indexes = [models.Index(fields=["video_key", "day"], name="watch_day_video_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.video_key} {self.day}"
