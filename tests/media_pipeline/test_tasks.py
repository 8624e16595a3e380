"""The Celery side: processing retries what may pass (storage failures) and nothing else, gives up
with a reason, and beat queues again what waits in vain."""

import datetime
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.core.files.storage import InMemoryStorage
from django.utils import timezone

from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_create
from media_pipeline.storage import generations_stored
from media_pipeline.tasks import asset_process_task, assets_requeue_stalled

pytestmark = pytest.mark.django_db


class FlakyStorage(InMemoryStorage):
    """In-memory storage whose next ``failures`` uploads under hls/ fail, as a bucket can."""

    failures = 0

    def _save(self, name, content):
        if name.startswith("hls/") and FlakyStorage.failures > 0:
            FlakyStorage.failures -= 1
            raise ConnectionError("the bucket did not answer")
        return super()._save(name, content)


@pytest.fixture
def flaky_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FlakyStorage"}}
    yield FlakyStorage
    FlakyStorage.failures = 0


@pytest.fixture
def small_clip(clip_factory) -> Path:
    return clip_factory(seconds=3, width=640, height=360)


def create_and_run(django_capture_on_commit_callbacks, source) -> VideoAsset:
    with django_capture_on_commit_callbacks(execute=True):
        asset = asset_create(title="Aufgabe", source=source)
    asset.refresh_from_db()
    return asset


def test_a_storage_failure_is_retried_and_the_retry_publishes(
    flaky_storage, small_clip, django_capture_on_commit_callbacks
):
    flaky_storage.failures = 1
    asset = create_and_run(django_capture_on_commit_callbacks, small_clip)
    assert asset.status == VideoAsset.Status.READY
    assert asset.attempts == 2 and asset.generation == 2
    assert generations_stored(asset.uuid) == [2]  # the failed run's half upload is gone


def test_after_the_last_retry_the_asset_fails_with_the_reason(
    flaky_storage, small_clip, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(asset_process_task, "max_retries", 1)
    flaky_storage.failures = 100
    asset = create_and_run(django_capture_on_commit_callbacks, small_clip)
    assert asset.status == VideoAsset.Status.FAILED and asset.attempts == 2
    assert asset.failure_reason.startswith("Gave up after 2 tries: Uploading hls/")
    assert "the bucket did not answer" in asset.failure_reason
    assert generations_stored(asset.uuid) == []


def test_a_bad_source_is_not_retried(tmp_path, django_capture_on_commit_callbacks):
    text = tmp_path / "notes.mov"
    text.write_text("not a video")
    asset = create_and_run(django_capture_on_commit_callbacks, text)
    assert asset.status == VideoAsset.Status.FAILED and asset.attempts == 1


def test_a_task_for_a_deleted_asset_does_nothing(small_clip):
    asset = asset_create(title="Gelöscht", source=small_clip)
    asset.delete()
    asset_process_task.delay(asset.pk)


def test_beat_queues_again_what_waits_in_vain(django_capture_on_commit_callbacks):
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=django_settings.MEDIA_PROCESSING_STALLED_AFTER_SECONDS + 60)

    def make(title, updated_at, **fields) -> VideoAsset:
        asset = VideoAsset.objects.create(title=title, **fields)
        VideoAsset.objects.filter(pk=asset.pk).update(updated_at=updated_at)
        return asset

    waiting = {
        make("worker died", long_ago, status="processing", stage="encoding", attempts=1),
        make("message lost", long_ago, status="uploaded", stage="queued"),
        make("never queued", long_ago, status="uploaded", stage=""),
        make("re-run lost", long_ago, status="ready", stage="queued", hls_prefix="hls/x/g1/"),
    }
    make("running", now, status="processing", stage="encoding", attempts=1)
    make("just queued", now, status="uploaded", stage="queued")
    make("ready", long_ago, status="ready", stage="done", hls_prefix="hls/y/g1/")
    make("failed", long_ago, status="failed", stage="failed")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert assets_requeue_stalled.delay().get() == len(waiting)

    assert len(queued) == len(waiting)
    requeued = VideoAsset.objects.filter(pk__in=[asset.pk for asset in waiting])
    assert {asset.stage for asset in requeued} == {"queued"}
    assert all(asset.updated_at > now for asset in requeued)  # not queued again by the next beat
    # A second beat right after finds nothing new.
    with django_capture_on_commit_callbacks(execute=False) as queued_again:
        assets_requeue_stalled.delay()
    assert queued_again == []


def test_beat_runs_the_requeue_every_five_minutes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["media-assets-requeue-stalled"]
    assert entry["task"] == "media_pipeline.tasks.assets_requeue_stalled"
    assert entry["schedule"] == 300
    assert entry["task"] in current_app.tasks
    assert asset_process_task.acks_late and asset_process_task.reject_on_worker_lost
