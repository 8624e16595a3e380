"""Celery tasks of the media pipeline: they take ids and call one service.

Processing acknowledges late (a worker that dies mid-run leaves the message to be delivered
again, and that delivery takes the asset over), retries with exponential backoff only what may
pass (storage, database, a killed ffmpeg), never a bad source, and is safe to run twice (see
``services``). Run in-process (no broker), a retry follows at once. Beat runs
``assets_requeue_stalled`` every five minutes.
"""

from __future__ import annotations

from celery import shared_task

from .errors import MediaTransientError
from .models import VideoAsset
from .services import asset_process, asset_process_fail
from .services import assets_requeue_stalled as _requeue

MAX_RETRIES = 5
BACKOFF_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def asset_process_task(self, asset_id: int) -> None:
    # A redelivered message means its worker died while running it: take the asset over even
    # though that run's last heartbeat is recent.
    take_over = bool((self.request.delivery_info or {}).get("redelivered"))
    tries = self.request.retries
    while True:
        try:
            asset_process(asset_id=asset_id, take_over=take_over)
            return
        except VideoAsset.DoesNotExist:
            return  # deleted since it was queued
        except MediaTransientError as error:
            if tries >= self.max_retries:
                asset_process_fail(asset_id=asset_id, reason=f"Gave up after {tries + 1} tries: {error}")
                return
            if not self.request.is_eager:
                countdown = min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2**tries)
                raise self.retry(exc=error, countdown=countdown) from error
            tries += 1  # in-process, without a broker (the demo): try again at once


@shared_task(acks_late=True)
def assets_requeue_stalled() -> int:
    return len(_requeue())
