"""Running processing again, on a ready asset or after a crashed run, ends in one complete,
consistent asset: one generation in storage, the published key opens its segments, and what
viewers play never changes until the new run is complete."""

import datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.utils import timezone

from media_pipeline import hls
from media_pipeline.keys import key_open
from media_pipeline.models import VideoAsset
from media_pipeline.processing import segment_decrypt
from media_pipeline.services import asset_create, asset_process, asset_process_enqueue
from media_pipeline.storage import generation_prefix, generations_stored


@pytest.fixture
def small_clip(clip_factory) -> Path:
    return clip_factory(seconds=4, width=640, height=360)


@pytest.fixture
def ready(db, small_clip) -> VideoAsset:
    asset = asset_create(title="Kleiner Clip", source=small_clip)
    return asset_process(asset_id=asset.pk)


def read(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def assert_complete_and_consistent(asset: VideoAsset) -> None:
    """Ready, exactly one generation stored (the published one), every file the asset names
    present, and the published key opens every segment into MPEG-TS."""
    assert asset.status == VideoAsset.Status.READY and asset.stage == "done"
    assert generations_stored(asset.uuid) == [asset.generation]
    assert asset.hls_prefix == generation_prefix(asset.uuid, asset.generation)
    names = [asset.master_playlist, asset.poster, asset.storyboard_image, asset.storyboard_vtt]
    names += [asset.preview_playlist, *asset.thumbnails]
    assert all(default_storage.exists(asset.hls_prefix + name) for name in names)
    key = key_open(asset.content_key_sealed)
    for rendition in asset.renditions:
        text = read(asset.hls_prefix + rendition["playlist"]).decode()
        iv = bytes.fromhex(hls.media_key(text)["IV"][2:])
        folder = asset.hls_prefix + rendition["playlist"].rsplit("/", 1)[0]
        for segment in hls.media_segments(text):
            clear = segment_decrypt(read(f"{folder}/{segment.uri}"), key=key, iv=iv)
            assert clear[0] == 0x47 and clear[188] == 0x47  # MPEG-TS sync bytes


def run_queued(asset: VideoAsset, django_capture_on_commit_callbacks) -> VideoAsset:
    """Staff's re-run: queue it, and let the (eager) task run after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        asset_process_enqueue(asset=asset)
    asset.refresh_from_db()
    return asset


def test_a_first_run_is_complete_and_consistent(ready):
    assert ready.generation == 1 and ready.attempts == 1
    assert_complete_and_consistent(ready)


def test_rerunning_a_ready_asset_publishes_a_new_generation_and_deletes_the_old(
    ready, django_capture_on_commit_callbacks
):
    old_key, old_prefix = ready.content_key_sealed, ready.hls_prefix
    asset = run_queued(ready, django_capture_on_commit_callbacks)
    assert asset.generation == 2 and asset.attempts == 2
    assert key_open(asset.content_key_sealed) != key_open(old_key)  # one key per generation
    assert not default_storage.exists(old_prefix + "master.m3u8")
    assert_complete_and_consistent(asset)


def test_a_crashed_run_is_finished_by_the_next_one(db, small_clip, settings):
    # A worker died while encoding run 1: the asset says "processing", half a generation lies
    # in storage, and nothing has been heard of the run for longer than the stall time.
    asset = asset_create(title="Abgestürzt", source=small_clip)
    partial = generation_prefix(asset.uuid, 1)
    default_storage.save(partial + "360p/seg_00000.ts", ContentFile(b"\x00" * 1000))
    default_storage.save(partial + "360p/index.m3u8", ContentFile(b"#EXTM3U\n"))
    stalled_for = datetime.timedelta(seconds=settings.MEDIA_PROCESSING_STALLED_AFTER_SECONDS + 1)
    stalled_at = timezone.now() - stalled_for
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.PROCESSING, stage="encoding", progress=40, attempts=1, updated_at=stalled_at
    )

    asset = asset_process(asset_id=asset.pk)

    assert asset.generation == 2
    assert_complete_and_consistent(asset)


def test_a_live_run_is_left_alone_unless_its_message_came_back(db, small_clip):
    asset = asset_create(title="Läuft", source=small_clip)
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.PROCESSING, stage="encoding", attempts=1, updated_at=timezone.now()
    )
    # A duplicate delivery while the run reports progress: nothing to do.
    untouched = asset_process(asset_id=asset.pk)
    assert (untouched.status, untouched.stage, untouched.attempts) == ("processing", "encoding", 1)
    # The same message delivered again after its worker died: taken over at once.
    asset = asset_process(asset_id=asset.pk, take_over=True)
    assert asset.attempts == 2
    assert_complete_and_consistent(asset)


def test_a_duplicate_message_for_a_ready_asset_changes_nothing(ready):
    again = asset_process(asset_id=ready.pk)
    assert (again.generation, again.attempts, again.content_key_sealed) == (1, 1, ready.content_key_sealed)
    assert_complete_and_consistent(again)


def test_a_failed_rerun_keeps_the_previous_version_online(ready, django_capture_on_commit_callbacks):
    published = {field: getattr(ready, field) for field in ("hls_prefix", "content_key_sealed", "renditions")}
    # The source was replaced by something that is not a video, then staff re-ran processing.
    ready.source.save(f"{ready.uuid}/replaced.mp4", ContentFile(b"definitely not a video"), save=True)

    asset = run_queued(ready, django_capture_on_commit_callbacks)

    assert asset.status == VideoAsset.Status.READY and asset.stage == "failed"
    assert "previous version stays online" in asset.failure_reason
    assert "Invalid data found when processing input" in asset.failure_reason
    assert {field: getattr(asset, field) for field in published} == published
    assert_complete_and_consistent_but_failed(asset)


def assert_complete_and_consistent_but_failed(asset: VideoAsset) -> None:
    VideoAsset.objects.filter(pk=asset.pk).update(stage="done")
    asset.refresh_from_db()
    assert_complete_and_consistent(asset)


def test_a_failed_asset_can_be_run_again_once_its_source_is_fixed(
    db, small_clip, tmp_path, django_capture_on_commit_callbacks
):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"")
    asset = asset_process(asset_id=asset_create(title="Erst kaputt", source=broken).pk)
    assert asset.status == VideoAsset.Status.FAILED
    asset.source.save(f"{asset.uuid}/fixed.mp4", ContentFile(small_clip.read_bytes()), save=True)

    asset = run_queued(asset, django_capture_on_commit_callbacks)

    assert asset.failure_reason == ""
    assert_complete_and_consistent(asset)


def test_on_local_disk_the_old_generation_leaves_no_directory_behind(
    settings, tmp_path, small_clip, django_capture_on_commit_callbacks, db
):
    settings.MEDIA_ROOT = tmp_path
    local = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": local}
    asset = asset_process(asset_id=asset_create(title="Lokal", source=small_clip).pk)
    asset = run_queued(asset, django_capture_on_commit_callbacks)
    assert_complete_and_consistent(asset)
    assert sorted(path.name for path in (tmp_path / "hls" / str(asset.uuid)).iterdir()) == ["g2"]


class RerunDuringUploadStorage(InMemoryStorage):
    """Storage that, on the first upload of a run, sees staff ask for a re-run (as the admin's
    button does: the asset is queued again while the run is still uploading)."""

    asset_id = None

    def _save(self, name, content):
        if name.startswith("hls/") and RerunDuringUploadStorage.asset_id is not None:
            VideoAsset.objects.filter(pk=RerunDuringUploadStorage.asset_id).update(stage="queued")
            RerunDuringUploadStorage.asset_id = None
        return super()._save(name, content)


def test_a_run_superseded_by_a_rerun_publishes_nothing_and_the_rerun_completes(db, settings, small_clip):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.RerunDuringUploadStorage"}}
    asset = asset_create(title="Neu gestartet", source=small_clip)
    RerunDuringUploadStorage.asset_id = asset.pk

    superseded = asset_process(asset_id=asset.pk)

    assert superseded.stage == "queued"
    assert superseded.hls_prefix == "" and superseded.content_key_sealed == ""
    assert generations_stored(asset.uuid) == []
    rerun = asset_process(asset_id=asset.pk)
    assert rerun.generation == 2
    assert_complete_and_consistent(rerun)
