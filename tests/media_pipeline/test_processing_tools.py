"""The tools on a machine with nothing but Python: the imageio-ffmpeg wheel's ffmpeg and PyAV
for probing give the same result as Debian's ffmpeg and ffprobe."""

import sys
from pathlib import Path

import pytest

from media_pipeline import tools
from media_pipeline.errors import MediaInputError
from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_create, asset_process


@pytest.fixture
def only_python(monkeypatch):
    """No ffmpeg or ffprobe on the PATH: only the virtualenv's own scripts."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    tools._which.cache_clear()
    yield
    tools._which.cache_clear()


def test_pyav_probes_like_ffprobe(sample_clip):
    with_ffprobe = tools.ffprobe(sample_clip)
    with_pyav = tools._probe_with_pyav(sample_clip)
    assert with_ffprobe["tool"] == "ffprobe" and with_pyav["tool"] == "pyav"
    for field in ("width", "height", "fps", "video_codec", "audio_codec", "has_audio", "pix_fmt"):
        assert with_pyav[field] == with_ffprobe[field], field
    assert with_pyav["duration"] == pytest.approx(with_ffprobe["duration"], abs=0.05)


def test_pyav_refuses_what_is_not_media(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    with pytest.raises(MediaInputError, match="cannot be read as a video"):
        tools._probe_with_pyav(path)


def test_the_pipeline_runs_with_the_wheels_alone(only_python, db, clip_factory):
    assert tools.ffprobe_binary() is None
    assert "imageio_ffmpeg" in tools.ffmpeg_binary()
    asset = asset_create(title="Nur Python", source=clip_factory(seconds=3, width=640, height=360))
    asset = asset_process(asset_id=asset.pk)
    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    assert asset.probe["tool"] == "pyav"
    assert [rendition["name"] for rendition in asset.renditions] == ["360p"]
    assert asset.poster and asset.storyboard_vtt and asset.preview_playlist


def test_a_phone_clip_filmed_upright_stays_upright(db, clip_factory, tmp_path):
    # Phones store the picture sideways and a rotation in the file: the ladder follows the
    # picture as shown (portrait), and ffmpeg turns the frames accordingly.
    import subprocess

    rotated = tmp_path / "upright.mp4"
    landscape = clip_factory(seconds=3, width=640, height=360, audio=False)
    subprocess.run(
        [tools.ffmpeg_binary(), "-v", "error", "-i", str(landscape), "-c", "copy"]
        + ["-metadata:s:v", "rotate=90", str(rotated)],
        check=True,
    )
    assert (tools.ffprobe(rotated)["width"], tools.ffprobe(rotated)["height"]) == (360, 640)
    asset = asset_process(asset_id=asset_create(title="Hochkant", source=rotated).pk)
    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    assert [(r["name"], r["width"], r["height"]) for r in asset.renditions] == [("360p", 360, 640)]
    assert asset.renditions[0]["codecs"] == "avc1.64001e"  # no audio in this clip
