"""Bad uploads end ``failed`` with a reason staff can read, and nothing of them is published."""

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_create, asset_process
from media_pipeline.storage import generations_stored
from media_pipeline.tools import ffmpeg_binary


def process(path: Path) -> VideoAsset:
    asset = asset_create(title=path.name, source=path)
    return asset_process(asset_id=asset.pk)


def assert_failed_and_unpublished(asset: VideoAsset, *reason_parts: str) -> None:
    assert asset.status == VideoAsset.Status.FAILED
    assert asset.stage == "failed"
    for part in reason_parts:
        assert part in asset.failure_reason
    assert "phialo-media-" not in asset.failure_reason  # our scratch paths are not the staff's business
    assert asset.hls_prefix == "" and asset.content_key_sealed == "" and asset.renditions == []
    assert generations_stored(asset.uuid) == []


def truncated(source: Path, target: Path, share: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * share)])
    return target


@pytest.fixture
def small_clip(clip_factory) -> Path:
    return clip_factory(seconds=6, width=640, height=360)


def test_a_text_file_is_not_a_video(db, tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("These are my notes, not a video.\n" * 50)
    assert_failed_and_unpublished(process(path), "Invalid data found when processing input")


def test_an_empty_file_fails_at_once(db, tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    asset = process(path)
    assert_failed_and_unpublished(asset, "empty (0 bytes)")
    assert asset.source_size == 0


def test_a_truncated_upload_without_its_index_fails(db, small_clip, tmp_path):
    # ffmpeg writes the MP4 index (moov) at the end: half a file has none.
    asset = process(truncated(small_clip, tmp_path / "half.mp4"))
    assert_failed_and_unpublished(asset, "moov atom not found")


def test_a_truncated_upload_that_still_probes_fails_as_cut_short(db, small_clip, tmp_path):
    # With the index up front, the file probes as 6 s but only half of it can be decoded.
    faststart = tmp_path / "faststart.mp4"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(small_clip),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(faststart),
        ],
        check=True,
    )
    asset = process(truncated(faststart, tmp_path / "cut.mp4"))
    assert_failed_and_unpublished(asset, "cut short", "of its 6.0 s could be decoded")


def test_an_audio_file_is_not_a_video(db, tmp_path):
    path = tmp_path / "tone.m4a"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-f", "lavfi", "-i", "sine=duration=3", "-c:a", "aac", str(path)],
        check=True,
    )
    assert_failed_and_unpublished(process(path), "no video stream (audio only)")


def test_a_still_image_is_not_a_video(db, tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (640, 360), "navy").save(path)
    assert_failed_and_unpublished(process(path), "too short")


def test_a_video_codec_we_cannot_decode_is_named(db, tmp_path):
    path = tmp_path / "odd.avi"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=d=2:s=320x240"]
        + ["-c:v", "mpeg4", "-vtag", "DIVX", str(path)],
        check=True,
    )
    path.write_bytes(path.read_bytes().replace(b"DIVX", b"XQZW"))  # a FourCC nobody knows
    assert_failed_and_unpublished(process(path), "not supported", "XQZW")
