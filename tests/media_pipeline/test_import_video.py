"""``import_video`` makes an asset from a file on disk, processes it on request, and shows it on
a German video page and its English translation; bad input is a clear error, not an asset."""

from __future__ import annotations

import subprocess

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Locale

from cms.models import VideoPage
from cms.services import object_translate
from demo.catalogue import seed_site_tree, seed_videos
from media_pipeline.models import VideoAsset
from media_pipeline.tools import ffmpeg_binary

pytestmark = pytest.mark.django_db


@pytest.fixture
def video_page(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
        (page,) = seed_videos(library, 1, lambda *args: None)
    return page


@pytest.fixture
def tiny_clip(clip_factory):
    return clip_factory(seconds=3, width=480, height=270)


def test_a_clip_is_imported_processed_and_shown_on_both_languages(tiny_clip, video_page, capsys):
    call_command(
        "import_video", str(tiny_clip), "--title", "Ringschiene", "--page", video_page.slug, "--wait"
    )

    asset = VideoAsset.objects.get()
    assert asset.title == "Ringschiene"
    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    assert asset.duration == pytest.approx(3, abs=0.2)
    pages = VideoPage.objects.filter(translation_key=video_page.translation_key)
    assert {page.locale.language_code: page.video_id for page in pages} == {"de": asset.pk, "en": asset.pk}
    assert all(not page.has_unpublished_changes for page in pages)
    printed = capsys.readouterr().out
    assert "Imported “Ringschiene”" in printed
    assert "Ready in" in printed and "270p" in printed
    assert "(en)" in printed


def test_the_english_page_keeps_the_asset_when_translations_are_synced_again(
    tiny_clip, video_page, django_capture_on_commit_callbacks
):
    """wagtail-localize treats ``video`` as a synchronized field: syncing copies the German
    page's asset, which is the one import_video set on both."""
    call_command("import_video", str(tiny_clip), "--page", str(video_page.pk))
    asset = VideoAsset.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        english = object_translate(
            obj=VideoPage.objects.get(pk=video_page.pk),
            locale=Locale.objects.get(language_code="en"),
            strings={},
        )

    assert english.video_id == asset.pk


def test_without_wait_the_processing_is_queued(tiny_clip, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks() as queued:
        call_command("import_video", str(tiny_clip))

    asset = VideoAsset.objects.get()
    assert asset.title == tiny_clip.stem
    assert asset.status == VideoAsset.Status.UPLOADED
    assert asset.stage == "queued"
    assert len(queued) == 1
    assert "Processing: uploaded (queued)." in capsys.readouterr().out


def test_a_text_file_is_refused_before_an_asset_exists(tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_text("Das ist kein Video, nur eine Notiz.\n" * 20)

    with pytest.raises(CommandError, match="is not a video file ffmpeg can read"):
        call_command("import_video", str(notes), "--wait")

    assert not VideoAsset.objects.exists()


def test_an_audio_file_is_refused(tmp_path):
    tone = tmp_path / "tone.m4a"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(tone)],
        check=True,
    )

    with pytest.raises(CommandError, match="has no video stream"):
        call_command("import_video", str(tone))


@pytest.mark.parametrize("name", ["missing.mp4", "empty.mp4"])
def test_a_missing_or_empty_file_is_a_clear_error(tmp_path, name):
    (tmp_path / "empty.mp4").write_bytes(b"")

    with pytest.raises(CommandError, match=r"No such file|is empty"):
        call_command("import_video", str(tmp_path / name))


def test_an_unknown_page_is_refused_before_an_asset_exists(tiny_clip, video_page):
    with pytest.raises(CommandError, match="No video page with the id or slug 'gibt-es-nicht'"):
        call_command("import_video", str(tiny_clip), "--page", "gibt-es-nicht")

    assert not VideoAsset.objects.exists()


def test_a_failed_processing_fails_the_command_and_shows_nothing(tmp_path, video_page):
    """A truncated upload: its index says 4 s, but only half of the pictures arrived."""
    clip = tmp_path / "truncated.mp4"
    command = [
        ffmpeg_binary(),
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:duration=4:rate=25",
    ]
    subprocess.run([*command, "-c:v", "libx264", "-movflags", "+faststart", str(clip)], check=True)
    clip.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])

    with pytest.raises(CommandError, match=r"Processing failed: .*cut short"):
        call_command("import_video", str(clip), "--page", video_page.slug, "--wait")

    assert VideoAsset.objects.get().status == VideoAsset.Status.FAILED
    assert VideoPage.objects.get(pk=video_page.pk).video_id is None
