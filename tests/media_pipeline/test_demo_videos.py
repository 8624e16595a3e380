"""The demo plays real video: seed_demo renders short test-pattern clips with a tone, runs them
through the real pipeline, and shows them on the video pages in both languages, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cms.models import VideoPage
from demo import clips
from demo.catalogue import seed_site_tree, seed_videos
from demo.clips import Clip, clip_make, seed_demo_videos
from media_pipeline.models import VideoAsset
from media_pipeline.tools import ffprobe

pytestmark = pytest.mark.django_db

SHORT_CLIPS = [
    Clip("Demo-Clip A", 2, "testsrc2", 440, 320, 180),
    Clip("Demo-Clip B", 2, "gradients=speed=0.03", 523, 320, 180),
]


@pytest.fixture
def short_clips(monkeypatch):
    """Two-second clips: the pipeline is the same, the test is quicker."""
    monkeypatch.setattr(clips, "CLIPS", SHORT_CLIPS)


@pytest.fixture
def german_pages(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
        return seed_videos(library, 3, lambda *args: None)


def test_the_demo_clips_are_20_to_60_seconds_of_picture_and_sound(tmp_path):
    assert all(20 <= clip.seconds <= 60 for clip in clips.CLIPS)
    assert len({clip.pattern for clip in clips.CLIPS}) == len(clips.CLIPS) >= 3

    probe = ffprobe(clip_make(clips.CLIPS[1], tmp_path))

    assert probe["duration"] == pytest.approx(clips.CLIPS[1].seconds, abs=0.1)
    assert (probe["width"], probe["height"]) == (640, 360)
    assert probe["video_codec"] == "h264" and probe["audio_codec"] == "aac"


def test_clips_are_processed_and_shown_in_turn_on_both_languages(short_clips, german_pages):
    reported = []

    seeded = seed_demo_videos(german_pages, lambda what, done, total: reported.append((what, done)), clips=2)

    assert seeded.created == 2
    assert [asset.status for asset in seeded.clips] == ["ready", "ready"]
    assert all(asset.renditions and asset.hls_prefix and asset.content_key_sealed for asset in seeded.clips)
    first, second = seeded.clips
    shown = {
        (page.translation_key, page.locale.language_code): page.video_id
        for page in VideoPage.objects.select_related("locale")
    }
    keys = [page.translation_key for page in german_pages]
    assert [shown[(key, "de")] for key in keys] == [first.pk, second.pk, first.pk]
    assert [shown[(key, "en")] for key in keys] == [first.pk, second.pk, first.pk]
    assert seeded.pages_changed == 6
    assert ("demo clip 1/2 done", 100) in reported
    assert ("demo clip 2/2 done", 100) in reported


def test_a_second_run_creates_and_changes_nothing(short_clips, german_pages):
    seed_demo_videos(german_pages, lambda *args: None, clips=2)
    before = list(VideoAsset.objects.values_list("pk", "generation", "attempts"))
    again = list(VideoPage.objects.order_by("pk"))

    seeded = seed_demo_videos([page for page in again if page.locale.language_code == "de"], lambda *a: None)

    assert (seeded.created, seeded.pages_changed) == (0, 0)
    assert list(VideoAsset.objects.values_list("pk", "generation", "attempts")) == before


def test_a_clip_that_did_not_finish_is_processed_again(short_clips, german_pages):
    seed_demo_videos(german_pages, lambda *args: None, clips=1)
    clip = VideoAsset.objects.get()
    VideoAsset.objects.filter(pk=clip.pk).update(
        status="failed", stage="failed", hls_prefix="", failure_reason="worker lost"
    )

    seeded = seed_demo_videos(german_pages, lambda *args: None, clips=1)

    assert seeded.created == 0
    assert seeded.clips[0].status == "ready"
    assert VideoAsset.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_seed_demo_makes_playable_videos_once(short_clips, capsys):
    """Committing for real, as the command runs: wagtail-localize publishes each new English
    page when its German page commits, before the clips are attached."""
    sizes = ["--videos", "3", "--video-clips", "1", "--users", "0", "--orders", "0"]
    call_command("seed_demo", *sizes)
    first = capsys.readouterr().out
    call_command("seed_demo", *sizes)
    second = capsys.readouterr().out

    assert "video files: 1 of 1 demo clips playable (1 new), 6 pages newly showing one (" in first
    assert "video files: 1 of 1 demo clips playable (0 new), 0 pages newly showing one (" in second
    assert VideoAsset.objects.count() == 1
    assert not VideoPage.objects.filter(video__isnull=True).exists()
