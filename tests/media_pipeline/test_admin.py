"""Staff see every video's processing state in the Wagtail admin, re-run processing, add
captions, and editors choose (or upload) a page's video from the page editor."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from demo.catalogue import seed_site_tree, seed_videos
from media_pipeline.models import Caption, VideoAsset
from media_pipeline.pages import asset_attach
from media_pipeline.services import asset_create

pytestmark = pytest.mark.django_db

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nDie Ringschiene wird gesägt.\n".encode()
RENDITIONS = [
    {"name": "540p", "width": 960, "height": 540, "bandwidth": 2_100_000, "codecs": "avc1.4d401f,mp4a.40.2",
     "playlist": "540p/index.m3u8", "first_segment_bytes": 812_345},
    {"name": "360p", "width": 640, "height": 360, "bandwidth": 900_000, "codecs": "avc1.4d401e,mp4a.40.2",
     "playlist": "360p/index.m3u8", "first_segment_bytes": 402_000},
]  # fmt: skip


@pytest.fixture
def assets() -> dict[str, VideoAsset]:
    def make(title: str, **fields) -> VideoAsset:
        asset = VideoAsset(title=title, **fields)
        asset.source.save(f"{title}.mp4", ContentFile(b"not really a video"), save=False)
        asset.save()
        return asset

    return {
        "processing": make("Löten am Mikrobrenner", status="processing", stage="encoding", progress=42),
        "failed": make(
            "Kaputte Datei",
            status="failed",
            stage="failed",
            failure_reason=(
                "ffmpeg could not convert the file: [in#0] Invalid data found when processing input"
            ),
        ),
        "ready": make(
            "Krappenfassung",
            status="ready",
            stage="done",
            progress=100,
            duration=754.2,
            duration_seconds=754,
            width=1920,
            height=1080,
            generation=2,
            hls_prefix="hls/x/g2/",
            poster="poster.jpg",
            renditions=RENDITIONS,
            master_playlist="master.m3u8",
        ),
    }


@pytest.fixture
def video_page(django_capture_on_commit_callbacks):
    """One demo video page in German with its English translation."""
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
        (page,) = seed_videos(library, 1, lambda *args: None)
    return page


def test_the_list_shows_status_stage_progress_and_failure(staff_client, assets):
    response = staff_client.get("/admin/videos/")

    assert response.status_code == 200
    html = response.content.decode()
    for asset in assets.values():
        assert asset.title in html
    assert "encoding · 42 %" in html
    assert "Invalid data found when processing input" in html
    assert "540p · 360p" in html
    assert "12:34" in html  # the duration


def test_the_list_filters_by_status_and_searches_titles(staff_client, assets):
    failed = staff_client.get("/admin/videos/", {"status": "failed"}).content.decode()
    found = staff_client.get("/admin/videos/", {"q": "krappen"}).content.decode()

    assert "Kaputte Datei" in failed and "Krappenfassung" not in failed
    assert "Krappenfassung" in found and "Kaputte Datei" not in found


def test_the_video_page_shows_processing_poster_renditions_and_pages(staff_client, assets, video_page):
    ready = assets["ready"]
    asset_attach(asset=ready, page=video_page)

    response = staff_client.get(f"/admin/videos/edit/{ready.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Process again" in html
    assert 'src="/media/hls/x/g2/poster.jpg"' in html or "hls/x/g2/poster.jpg" in html
    assert "540p" in html and "960×540" in html and "2100 kbit/s" in html
    assert "(starts playback)" in html
    assert video_page.title in html  # German page
    assert "Sawing and filing a ring shank" in html  # its English translation shares the asset
    assert f"/admin/pages/{video_page.pk}/edit/" in html
    usage = staff_client.get(f"/admin/videos/usage/{ready.pk}/")
    assert usage.status_code == 200
    assert video_page.title in usage.content.decode()


def test_a_failed_video_shows_ffmpegs_reason_in_full(staff_client, assets):
    response = staff_client.get(f"/admin/videos/edit/{assets['failed'].pk}/")

    assert "Why it failed" in response.content.decode()
    assert "[in#0] Invalid data found when processing input" in response.content.decode()


def test_the_status_is_polled_while_processing(staff_client, assets):
    processing = assets["processing"]
    page = staff_client.get(f"/admin/videos/edit/{processing.pk}/").content.decode()
    assert 'data-video-status-active="true"' in page

    VideoAsset.objects.filter(pk=processing.pk).update(stage="packaging", progress=91)
    status = staff_client.get(f"/admin/videos/status/{processing.pk}/").json()

    assert status["status"] == "processing"
    assert status["progress"] == 91
    assert "packaging · 91 %" in status["html"]


def test_staff_rerun_processing_and_it_ends_ready_again(
    staff_client, clip_factory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset = asset_create(title="Kurzer Clip", source=clip_factory(seconds=2, width=320, height=180))
    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    first = asset.generation

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/videos/reprocess/{asset.pk}/")

    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY
    assert asset.generation > first
    assert asset.attempts == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("queued for processing again" in message for message in messages)


def test_rerun_queues_processing_after_commit(staff_client, assets, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        staff_client.post(f"/admin/videos/reprocess/{assets['failed'].pk}/")

    assert len(queued) == 1
    assets["failed"].refresh_from_db()
    assert assets["failed"].stage == "queued"


def test_rerun_needs_a_post_and_the_change_permission(
    client, staff_client, assets, django_user_model, second_factor_passed
):
    assert staff_client.get(f"/admin/videos/reprocess/{assets['failed'].pk}/").status_code == 405
    editor = django_user_model.objects.create_user(email="editor@phialo.localhost", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    second_factor_passed(client, editor)

    response = client.post(f"/admin/videos/reprocess/{assets['failed'].pk}/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"  # Wagtail's answer to a permission denied
    assets["failed"].refresh_from_db()
    assert assets["failed"].stage == "failed"


def test_webvtt_captions_are_added_per_language_and_replaced(staff_client, assets):
    ready = assets["ready"]
    url = f"/admin/videos/captions/{ready.pk}/"

    staff_client.post(url, {"language": "de", "label": "", "file": SimpleUploadedFile("de.vtt", VTT)})
    staff_client.post(
        url, {"language": "de", "label": "Deutsch (neu)", "file": SimpleUploadedFile("de2.vtt", VTT + b"\n")}
    )

    caption = Caption.objects.get(asset=ready)
    assert caption.language == "de"
    assert caption.label == "Deutsch (neu)"
    assert caption.file.read() == VTT + b"\n"
    page = staff_client.get(f"/admin/videos/edit/{ready.pk}/").content.decode()
    assert "Deutsch (neu)" in page


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"1\n00:00:00,000 --> 00:00:02,000\nHallo\n", "This is not a WebVTT file"),
        (b"WEBVTTX\n\n00:00:00.000 --> 00:00:02.000\nHallo\n", "This is not a WebVTT file"),
        (b"WEBVTT\n\nkeine Zeiten\n", "has no cues"),
        (b"\xff\xfeW\x00E\x00", "must be UTF-8"),
    ],
)
def test_a_caption_file_that_is_not_webvtt_is_refused(staff_client, assets, content, problem):
    response = staff_client.post(
        f"/admin/videos/captions/{assets['ready'].pk}/",
        {"language": "en", "file": SimpleUploadedFile("en.srt", content)},
        follow=True,
    )

    assert not Caption.objects.exists()
    assert problem in response.content.decode()


def test_a_webvtt_file_with_a_byte_order_mark_and_header_text_is_accepted(staff_client, assets):
    content = "\ufeffWEBVTT Kapitel\n\n00:00.000 --> 00:02.000\nHallo\n".encode()
    staff_client.post(
        f"/admin/videos/captions/{assets['ready'].pk}/",
        {"language": "en", "file": SimpleUploadedFile("en.vtt", content)},
    )

    assert Caption.objects.get().label == "English"


def test_captions_can_be_deleted(staff_client, assets):
    ready = assets["ready"]
    staff_client.post(
        f"/admin/videos/captions/{ready.pk}/", {"language": "en", "file": SimpleUploadedFile("en.vtt", VTT)}
    )

    staff_client.post(f"/admin/videos/captions/{ready.pk}/en/delete/")

    assert not Caption.objects.exists()


def test_the_page_editor_offers_the_video_chooser(staff_client, video_page):
    response = staff_client.get(f"/admin/pages/{video_page.pk}/edit/")

    assert response.status_code == 200
    assert "/admin/video-chooser/" in response.content.decode()
    assert "Choose a video" in response.content.decode()


def test_the_chooser_lists_and_searches_videos(staff_client, assets):
    body = json.loads(staff_client.get("/admin/video-chooser/").content)
    found = staff_client.get("/admin/video-chooser/results/", {"q": "löten"}).content.decode()
    chosen = json.loads(staff_client.get(f"/admin/video-chooser/chosen/{assets['ready'].pk}/").content)

    assert body["step"] == "choose"
    assert "Krappenfassung" in body["html"] and "Upload" in body["html"]
    assert "data-video-upload" in body["html"]
    assert "Löten am Mikrobrenner" in found and "Krappenfassung" not in found
    assert chosen["step"] == "chosen"
    assert chosen["result"]["id"] == str(assets["ready"].pk)
    assert chosen["result"]["edit_url"] == f"/admin/videos/edit/{assets['ready'].pk}/"


def test_an_upload_from_the_chooser_is_chosen_at_once(staff_client, django_capture_on_commit_callbacks):
    data = b"\x00" * 1000
    start = staff_client.post(
        "/admin/videos/uploads/", {"filename": "neu.mp4", "size": len(data)}, content_type="application/json"
    ).json()
    staff_client.put(f"{start['urls']['chunks']}0/", data, content_type="application/octet-stream")

    with django_capture_on_commit_callbacks():
        response = staff_client.post("/admin/video-chooser/create/", {"title": "", "upload": start["upload"]})

    body = json.loads(response.content)
    asset = VideoAsset.objects.get()
    assert body["step"] == "chosen"
    assert body["result"] == {
        "id": str(asset.pk),
        "title": "neu",
        "edit_url": f"/admin/videos/edit/{asset.pk}/",
    }


def test_a_chooser_upload_without_a_file_shows_the_form_again(staff_client):
    response = staff_client.post("/admin/video-chooser/create/", {"title": "Ohne Datei"})

    body = json.loads(response.content)
    assert body["step"] == "reshow_creation_form"
    assert "Choose a video file." in body["htmlFragment"]


def test_processing_a_tiny_clip_through_the_admin_upload_page_works_end_to_end(
    staff_client, clip_factory, django_capture_on_commit_callbacks
):
    clip = clip_factory(seconds=2, width=320, height=180)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/videos/new/",
            {"title": "Direkt", "file": SimpleUploadedFile("direkt.mp4", clip.read_bytes())},
        )

    asset = VideoAsset.objects.get()
    assert response["Location"] == f"/admin/videos/edit/{asset.pk}/"
    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    page = staff_client.get("/admin/videos/").content.decode()
    assert "180p" in page or asset.renditions[0]["name"] in page
