"""Shared fixtures of the media pipeline's tests: real clips made by ffmpeg, and one asset the
real pipeline processed.

``clip_factory(...)`` makes (once per session and shape) a short test-pattern clip with a tone;
``sample_clip`` is the 10 s 1280x720 one. ``ready_asset`` is a saved, ``ready`` ``VideoAsset``
whose outputs are in the default storage and its source in the private one: the pipeline runs
once per session (about ten seconds on two cores) and each test gets its own copy, with its own
uuid and storage directory, removed after the test. Its plain content key is
``media_pipeline.keys.key_open(asset.content_key_sealed)``.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

SAMPLE_SECONDS = 10
SAMPLE_SIZE = (1280, 720)


@pytest.fixture(scope="session")
def clip_factory(tmp_path_factory) -> Callable[..., Path]:
    """``make(seconds=10, width=1280, height=720, fps=25, audio=True, container="mp4")`` -> a clip.

    H.264 + AAC test pattern (``testsrc2``) with a 440 Hz tone; each shape is made once."""
    from media_pipeline.tools import ffmpeg_binary

    directory = tmp_path_factory.mktemp("clips")
    made: dict[tuple, Path] = {}

    def make(
        *,
        seconds: float = SAMPLE_SECONDS,
        width: int = SAMPLE_SIZE[0],
        height: int = SAMPLE_SIZE[1],
        fps: int = 25,
        audio: bool = True,
        container: str = "mp4",
    ) -> Path:
        shape = (seconds, width, height, fps, audio, container)
        if shape not in made:
            path = directory / f"clip-{seconds}s-{width}x{height}-{fps}{'-a' if audio else ''}.{container}"
            command = [ffmpeg_binary(), "-v", "error", "-y"]
            command += ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
            if audio:
                command += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
            command += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
            if audio:
                command += ["-c:a", "aac", "-b:a", "96k"]
            command += ["-shortest", str(path)]
            subprocess.run(command, check=True, capture_output=True, timeout=120)
            made[shape] = path
        return made[shape]

    return make


@pytest.fixture(scope="session")
def sample_clip(clip_factory) -> Path:
    """10 s, 1280x720, 25 fps, H.264 + AAC: a 360p/540p/720p ladder."""
    return clip_factory()


def _storage_files(storage, prefix: str) -> dict[str, bytes]:
    """Every file under ``prefix`` (a directory name ending in "/") with its bytes."""
    files: dict[str, bytes] = {}
    directories, names = storage.listdir(prefix.rstrip("/"))
    for name in names:
        with storage.open(prefix + name) as handle:
            files[prefix + name] = handle.read()
    for directory in directories:
        files.update(_storage_files(storage, f"{prefix}{directory}/"))
    return files


@pytest.fixture(scope="session")
def processed_asset_snapshot(django_db_setup, django_db_blocker, sample_clip) -> dict:
    """The real pipeline run once on ``sample_clip``: the asset's field values and its files.

    Runs in a transaction that is rolled back, so no row outlives it; its files are kept in
    memory here and removed from storage."""
    from django.core.files.storage import default_storage
    from django.db import transaction

    from core.storage import private_storage
    from media_pipeline.models import VideoAsset
    from media_pipeline.services import asset_create, asset_process

    with django_db_blocker.unblock(), transaction.atomic():
        asset = asset_create(title="Sample clip", source=sample_clip)
        asset = asset_process(asset_id=asset.pk)
        assert asset.status == VideoAsset.Status.READY, asset.failure_reason
        fields = {
            field.attname: getattr(asset, field.attname)
            for field in VideoAsset._meta.concrete_fields
            if field.attname not in {"id", "uuid", "created_at", "updated_at"}
        }
        snapshot = {
            "uuid": str(asset.uuid),
            "fields": fields,
            "files": _storage_files(default_storage, f"hls/{asset.uuid}/"),
            "source": (asset.source.name, asset.source.read()),
        }
        asset.source.close()
        transaction.set_rollback(True)
    for name in snapshot["files"]:
        default_storage.delete(name)
    private_storage().delete(snapshot["source"][0])
    return snapshot


@pytest.fixture
def ready_asset(db, processed_asset_snapshot):
    """A ``ready`` VideoAsset of ``sample_clip`` (360p, 540p, 720p; 10 s), its own files in storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from core.storage import private_storage
    from media_pipeline.models import VideoAsset

    snapshot = processed_asset_snapshot
    new_uuid = uuid.uuid4()
    old_prefix, new_prefix = f"hls/{snapshot['uuid']}/", f"hls/{new_uuid}/"
    fields = dict(snapshot["fields"])
    fields["hls_prefix"] = fields["hls_prefix"].replace(old_prefix, new_prefix)
    source_name, source_bytes = snapshot["source"]
    fields["source"] = private_storage().save(
        source_name.replace(snapshot["uuid"], str(new_uuid)), ContentFile(source_bytes)
    )
    asset = VideoAsset.objects.create(uuid=new_uuid, **fields)
    written = []
    for name, content in snapshot["files"].items():
        written.append(default_storage.save(name.replace(old_prefix, new_prefix), ContentFile(content)))
    yield asset
    for name in written:
        default_storage.delete(name)
    private_storage().delete(fields["source"])
