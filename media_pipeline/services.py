"""Writes of the media pipeline: creating assets and running their processing.

A run is numbered by ``VideoAsset.attempts`` (incremented when a run claims the asset) and
writes only into its own directory ``hls/<uuid>/g<run>/``, which no other run ever touches. It
publishes in one save under a row lock, and only while it still owns the asset (no newer run
claimed it since): status ``ready``, ``generation``, ``hls_prefix``, renditions, the sealed key and
every output path change together. Then the directories of older runs, finished or crashed, go.

Running twice is safe: a run claims the asset only when it is queued, uploaded or its run has
shown no progress for ``MEDIA_PROCESSING_STALLED_AFTER_SECONDS`` (its worker died); otherwise a
duplicate delivery finds nothing to do. Progress is written at most once a second and doubles as
the run's heartbeat.

A re-run of a ``ready`` asset keeps it ``ready`` and the old output playing until the new one is
published; if the re-run fails, the old output stays online and ``failure_reason`` says why
(``stage`` is ``failed``). An asset that never was ready ends ``failed`` instead.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.tasks import enqueue

from . import keys, processing, storage
from .errors import MediaInputError, MediaTransientError, RunSuperseded
from .models import VideoAsset
from .tools import ffprobe

logger = logging.getLogger(__name__)

STAGE_QUEUED = "queued"
STAGE_DONE = "done"
STAGE_FAILED = "failed"
# The stages of a live run, with the share of the whole run done when each starts.
RUNNING_STAGES = {
    "fetching": 0,
    "probing": 3,
    "encoding": 4,  # and packaging: playlists, storyboard sprite, preview (a second or two)
    "uploading": 95,
    "publishing": 99,
}
PROGRESS_EVERY_SECONDS = 1.0


def asset_create(*, title: str, source: File | Path | str, filename: str | None = None) -> VideoAsset:
    """Store ``source`` as a new asset's source file and queue its processing after commit."""
    asset = VideoAsset(title=title, stage=STAGE_QUEUED)
    if isinstance(source, str | Path):
        path = Path(source)
        with path.open("rb") as handle:
            asset.source.save(_source_name(asset, filename or path.name), File(handle), save=False)
    else:
        asset.source.save(
            _source_name(asset, filename or Path(source.name or "video").name), source, save=False
        )
    asset.source_size = asset.source.size
    with transaction.atomic():
        asset.save()
        enqueue("media_pipeline.tasks.asset_process_task", asset.pk)
    return asset


def _source_name(asset: VideoAsset, filename: str) -> str:
    # Under the asset's uuid: two uploads called "intro.mp4" never collide or overwrite.
    return f"{asset.uuid}/{get_valid_filename(filename) or 'video'}"


def asset_process_enqueue(*, asset: VideoAsset) -> None:
    """Queue processing again (staff's "re-run", a replaced source). A run in progress is
    superseded: it stops at its next progress report and the new run starts over."""
    with transaction.atomic():
        VideoAsset.objects.filter(pk=asset.pk).update(
            stage=STAGE_QUEUED, progress=0, updated_at=timezone.now()
        )
        enqueue("media_pipeline.tasks.asset_process_task", asset.pk)
    asset.stage, asset.progress = STAGE_QUEUED, 0


def asset_process(*, asset_id: int, take_over: bool = False) -> VideoAsset:
    """Run processing of the asset to its end, synchronously (the Celery task calls this).

    ``take_over``: claim the asset even if another run looks alive (the task's message was
    redelivered because its worker died). Raises ``MediaTransientError`` when retrying may help;
    the asset is then queued again. A bad source ends in ``failed``, not in an exception.
    Raises ``VideoAsset.DoesNotExist`` when the asset is gone."""
    run = _claim(asset_id=asset_id, take_over=take_over)  # raises DoesNotExist
    if run is None:
        return VideoAsset.objects.get(pk=asset_id)
    prefix = storage.generation_prefix(run.uuid, run.attempts)
    try:
        _run(asset=run, prefix=prefix)
    except RunSuperseded:
        logger.info("Asset %s: run %s was superseded by a newer run", asset_id, run.attempts)
        storage.directory_delete(prefix)
    except MediaInputError as error:
        storage.directory_delete(prefix)
        _fail(asset_id=asset_id, run=run.attempts, reason=str(error))
    except (MediaTransientError, DatabaseError) as error:
        storage.directory_delete(prefix)
        _release(asset_id=asset_id, run=run.attempts)
        if isinstance(error, DatabaseError):
            raise MediaTransientError(f"Database error: {error}") from error
        raise
    except Exception as error:
        # A bug, or the task's time limit: staff see it, the traceback goes to the logs.
        storage.directory_delete(prefix)
        _fail(
            asset_id=asset_id, run=run.attempts, reason=f"Processing stopped: {type(error).__name__}: {error}"
        )
        raise
    else:
        _old_generations_delete(asset_id=asset_id, below=run.attempts)
        if settings.MEDIA_DELETE_SOURCES_AFTER_PROCESSING:
            _source_delete(asset_id=asset_id, run=run.attempts)
    return VideoAsset.objects.get(pk=asset_id)


def _claim(*, asset_id: int, take_over: bool) -> VideoAsset | None:
    """Make this the asset's current run, or None when there is nothing to do."""
    now = timezone.now()
    stalled = now - timedelta(seconds=settings.MEDIA_PROCESSING_STALLED_AFTER_SECONDS)
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().get(pk=asset_id)
        if asset.stage in RUNNING_STAGES:
            if asset.updated_at > stalled and not take_over:
                return None  # another run is alive
        elif asset.stage != STAGE_QUEUED and asset.status != VideoAsset.Status.UPLOADED:
            return None  # done or failed, and nobody asked again: a duplicate message
        asset.attempts += 1
        asset.stage, asset.progress, asset.failure_reason = "fetching", 0, ""
        asset.processing_started_at = now
        if asset.status != VideoAsset.Status.READY:
            asset.status = VideoAsset.Status.PROCESSING
        asset.save(
            update_fields=[
                "attempts",
                "stage",
                "progress",
                "failure_reason",
                "processing_started_at",
                "status",
                "updated_at",
            ]
        )
    return asset


class _Progress:
    """Writes stage and progress at most once a second; learns there that the run lost the asset."""

    def __init__(self, *, asset_id: int, run: int) -> None:
        self.asset_id, self.run = asset_id, run
        self.stage, self.written_at = "", 0.0

    def __call__(self, stage: str, share: float = 0.0) -> None:
        stages = list(RUNNING_STAGES)
        start = RUNNING_STAGES[stage]
        end = RUNNING_STAGES[stages[stages.index(stage) + 1]] if stage != stages[-1] else 100
        now = time.monotonic()
        if stage == self.stage and now - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        percent = int(start + (end - start) * min(max(share, 0.0), 1.0))
        updated = VideoAsset.objects.filter(
            pk=self.asset_id, attempts=self.run, stage__in=list(RUNNING_STAGES)
        ).update(stage=stage, progress=percent, updated_at=timezone.now())
        if not updated:
            raise RunSuperseded
        self.stage, self.written_at = stage, now


def _run(*, asset: VideoAsset, prefix: str) -> None:
    progress = _Progress(asset_id=asset.pk, run=asset.attempts)
    if not asset.source:
        raise MediaInputError("The asset has no source file.")
    key, iv = keys.key_generate(), keys.key_generate()
    if not asset.source.storage.exists(asset.source.name):
        raise MediaInputError("The source file is missing from storage.")
    with storage.work_directory() as work:
        output, private = Path(work) / "out", Path(work) / "private"
        output.mkdir()
        private.mkdir()
        size = max(asset.source_size, 1)
        copying = storage.local_copy(
            asset.source.name,
            directory=private,
            storage=asset.source.storage,
            on_chunk=lambda copied: progress("fetching", copied / size),
        )
        with copying as source:
            progress("probing")
            if source.stat().st_size == 0:
                raise MediaInputError("The uploaded file is empty (0 bytes).")
            probe = ffprobe(source)
            processing.source_check(probe)
            progress("encoding")
            package = processing.package(
                source=source,
                probe=probe,
                output=output,
                private=private,
                key=key,
                iv=iv,
                preset=settings.MEDIA_X264_PRESET,
                preview_seconds=settings.MEDIA_PREVIEW_SECONDS,
                start_segment_max_bytes=settings.MEDIA_START_SEGMENT_MAX_BYTES,
                on_progress=lambda share: progress("encoding", share),
            )
        progress("uploading")
        storage.directory_upload(
            output, prefix, on_file=lambda done, total: progress("uploading", done / total)
        )
    progress("publishing")
    _publish(asset_id=asset.pk, run=asset.attempts, prefix=prefix, package=package, probe=probe, key=key)


def _publish(
    *, asset_id: int, run: int, prefix: str, package: processing.Package, probe: dict, key: bytes
) -> None:
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().get(pk=asset_id)
        if asset.attempts != run or asset.stage not in RUNNING_STAGES:
            raise RunSuperseded
        asset.status = VideoAsset.Status.READY
        asset.stage, asset.progress, asset.failure_reason = STAGE_DONE, 100, ""
        asset.processed_at = timezone.now()
        asset.generation, asset.hls_prefix = run, prefix
        asset.content_key_sealed = keys.key_seal(key)
        asset.renditions = package.renditions
        asset.master_playlist = package.master_playlist
        asset.poster, asset.thumbnails = package.poster, package.thumbnails
        asset.storyboard_image, asset.storyboard_vtt = package.storyboard_image, package.storyboard_vtt
        asset.preview_playlist, asset.preview_seconds = package.preview_playlist, package.preview_seconds
        asset.duration = round(package.encoded_seconds, 3)
        asset.duration_seconds = round(package.encoded_seconds)
        asset.width, asset.height = probe["width"], probe["height"]
        asset.probe = probe
        asset.save()


def _source_delete(*, asset_id: int, run: int) -> None:
    """Delete the source of a published run (``MEDIA_DELETE_SOURCES_AFTER_PROCESSING``), unless
    staff queued another run from it meanwhile. The field is emptied first: a file left behind by a
    failed delete is only an orphan in the private storage, never a source pointing at nothing."""
    asset = VideoAsset.objects.filter(pk=asset_id, attempts=run, stage=STAGE_DONE).only("source").first()
    if asset is None or not asset.source:
        return
    name, source_storage = asset.source.name, asset.source.storage
    emptied = VideoAsset.objects.filter(pk=asset_id, attempts=run, stage=STAGE_DONE, source=name).update(
        source="", updated_at=timezone.now()
    )
    if emptied:
        source_storage.delete(name)


def _fail(*, asset_id: int, run: int, reason: str) -> None:
    """Record why the run failed; a published earlier output stays online."""
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().get(pk=asset_id)
        if asset.attempts != run:
            return  # a newer run owns the asset now; its outcome is the one to show
        asset.stage, asset.progress = STAGE_FAILED, 0
        if asset.status == VideoAsset.Status.READY:
            asset.failure_reason = f"The last run failed; the previous version stays online. {reason}"
        else:
            asset.status, asset.failure_reason = VideoAsset.Status.FAILED, reason
        asset.save(update_fields=["stage", "progress", "status", "failure_reason", "updated_at"])
    _old_generations_delete(asset_id=asset_id, below=run)


def _release(*, asset_id: int, run: int) -> None:
    """Hand the asset back to the queue: the task retries later."""
    VideoAsset.objects.filter(pk=asset_id, attempts=run).update(
        stage=STAGE_QUEUED, progress=0, updated_at=timezone.now()
    )


def asset_process_fail(*, asset_id: int, reason: str) -> None:
    """Give up on a queued asset (the task's retries are spent), keeping any published output."""
    asset = VideoAsset.objects.filter(pk=asset_id, stage=STAGE_QUEUED).first()
    if asset is not None:
        _fail(asset_id=asset_id, run=asset.attempts, reason=reason)


def _old_generations_delete(*, asset_id: int, below: int) -> None:
    """Delete run directories older than run ``below`` except the published one (a crashed
    run's leftovers, the output a new run replaced). Newer runs' directories are theirs."""
    asset = VideoAsset.objects.filter(pk=asset_id).only("uuid", "generation", "hls_prefix").first()
    if asset is None:
        return
    published = asset.generation if asset.hls_prefix else None
    for generation in storage.generations_stored(asset.uuid):
        if generation < below and generation != published:
            storage.directory_delete(storage.generation_prefix(asset.uuid, generation))


def assets_requeue_stalled() -> list[int]:
    """Queue again what waits in vain: runs without progress for the stall time (their worker
    died) and assets uploaded or queued that long ago (their message was lost). Returns the ids."""
    cutoff = timezone.now() - timedelta(seconds=settings.MEDIA_PROCESSING_STALLED_AFTER_SECONDS)
    waiting = Q(stage__in=list(RUNNING_STAGES)) | Q(stage=STAGE_QUEUED) | Q(status=VideoAsset.Status.UPLOADED)
    stalled = VideoAsset.objects.filter(waiting, updated_at__lt=cutoff).exclude(
        stage__in=[STAGE_DONE, STAGE_FAILED]
    )
    ids = list(stalled.values_list("pk", flat=True))
    if ids:
        # Queued (a dead run's next claim must not wait for it) and touched, so that the next
        # beat does not queue them again while these messages wait for a worker.
        stalled.filter(pk__in=ids).update(stage=STAGE_QUEUED, progress=0, updated_at=timezone.now())
        for asset_id in ids:
            enqueue("media_pipeline.tasks.asset_process_task", asset_id)
    return ids
