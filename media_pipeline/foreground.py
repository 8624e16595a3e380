"""Processing an asset while a command waits and shows its progress (import_video, seed_demo).

``asset_process`` writes its stage and progress to the asset's row as it goes (at most once a
second); a small thread reads that row and reports it, so the same display serves a run in this
process and a run on a Celery worker. Running ``asset_process`` here is safe whatever the queue
does: a run claims the asset, and the queued task then finds nothing to do (or, if a worker
claimed it first, this waits for that run).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import connections, transaction

from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_process

logger = logging.getLogger(__name__)
Report = Callable[[str, int], None]
FINAL = (VideoAsset.Status.READY, VideoAsset.Status.FAILED)
POLL_SECONDS = 0.5


def asset_process_foreground(*, queue: Callable[[], VideoAsset], report: Report) -> VideoAsset:
    """Run ``queue()``, which creates an asset or asks for its processing again (and so queues
    a run, as ``asset_create`` and ``asset_process_enqueue`` do), then process the asset here
    while reporting its progress; returns it as the run left it (``ready`` or ``failed``).

    The display starts before ``queue()`` commits: without a broker, Celery runs the queued
    task right at that commit, in this process."""
    watcher = None
    try:
        with transaction.atomic():
            asset = queue()
            watcher = _Watcher(asset.pk, report)
            watcher.start()
        return _process(asset, watcher)
    finally:
        if watcher is not None:
            watcher.stop()


def _process(asset: VideoAsset, watcher: _Watcher, timeout: float = 6 * 3600) -> VideoAsset:
    asset = asset_process(asset_id=asset.pk)
    deadline = time.monotonic() + timeout
    # A worker's run (claimed before ours could) finishes on its own time.
    while _unfinished(asset) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        asset.refresh_from_db()
    watcher.stop()
    watcher.report_once(asset.stage or asset.status, asset.progress)
    return asset


def _unfinished(asset: VideoAsset) -> bool:
    return asset.status not in FINAL or asset.stage not in ("done", "failed")


class _Watcher(threading.Thread):
    """Reads the asset's stage and progress twice a second from its own connection."""

    def __init__(self, asset_id: int, report: Report):
        super().__init__(daemon=True, name=f"asset-{asset_id}-progress")
        self.asset_id, self.report = asset_id, report
        self._stopped = threading.Event()
        self._last: tuple | None = None

    def run(self) -> None:
        try:
            while not self._stopped.wait(POLL_SECONDS):
                row = VideoAsset.objects.filter(pk=self.asset_id).values_list("stage", "progress").first()
                if row and row[0] not in ("", "queued"):
                    self.report_once(*row)
        except Exception:  # the display must never break the run it shows
            logger.warning("Progress display of asset %s stopped", self.asset_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=5)

    def report_once(self, stage: str, progress: int) -> None:
        """The final state, unless the thread has just reported it."""
        if self._last != (stage, progress):
            self._last = (stage, progress)
            self.report(stage, progress)
