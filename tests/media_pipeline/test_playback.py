"""Playback: who gets a signed HLS URL, and what a player finds behind it (real processed clip)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Page

from media_pipeline.keys import key_open
from media_pipeline.models import VideoAsset
from tests.media_pipeline.playback_fixtures import *  # noqa: F403
from tests.media_pipeline.playback_fixtures import (
    decrypt_first_segment,
    follow,
    local,
    start,
    uris,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(customer, buy, playable):
    buy(customer, playable.video)
    client = Client()
    client.force_login(customer)
    return client


def test_a_logged_out_visitor_is_asked_to_log_in_and_shown_what_would_unlock_it(playable):
    response = start(Client(), playable.key)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert {offer["kind"] for offer in error["offers"]} == {"video", "course", "bundle"}
    assert response["Cache-Control"] == "private, no-store"


def test_without_access_the_video_its_course_and_bundle_are_offered(playable, make_user):
    client = Client()
    client.force_login(make_user("neu@example.com"))
    response = start(client, playable.key, locale="en")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "purchase_required"
    catalog = playable.catalog
    assert [(offer["id"], offer["kind"], offer["title"], offer["price"]) for offer in error["offers"]] == [
        (str(playable.key), "video", "Soldering with a micro torch", {"amount": "9.00", "currency": "EUR"}),
        (
            str(catalog.course.translation_key),
            "course",
            "Goldsmithing basics",
            {"amount": "29.00", "currency": "EUR"},
        ),
        (
            str(catalog.bundle.translation_key),
            "bundle",
            "Meisterpaket",
            {"amount": "39.00", "currency": "EUR"},
        ),
    ]
    # Where the item is shown, in English where translated, else in German.
    assert [(offer["url_path"], offer["locale"]) for offer in error["offers"]] == [
        ("/en/library/loeten/", "en"),
        ("/en/library/grundkurs/", "en"),
        ("/de/bibliothek/meisterpaket/", "de"),
    ]


def test_a_buyer_gets_a_signed_url_poster_storyboard_captions_and_a_watermark(viewer, customer, playable):
    response = start(viewer, playable.key)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["hls_url"].startswith(f"{settings.BACKEND_URL}/api/v1/videos/{playable.key}/hls/")
    assert body["hls_url"].endswith("/master.m3u8")
    prefix = f"{settings.BACKEND_URL}{settings.MEDIA_URL}{playable.asset.hls_prefix}"
    assert body["poster"] == prefix + playable.asset.poster
    assert body["storyboard_vtt"] == prefix + playable.asset.storyboard_vtt
    assert [(caption["language"], caption["label"]) for caption in body["captions"]] == [
        ("de", "Deutsch"),
        ("en", "English"),
    ]
    assert all(caption["url"].endswith(".vtt") for caption in body["captions"])
    text = body["watermark"]["text"]
    assert text.startswith("ku••••@example.com · ") and customer.email not in text
    assert body["resume_at_seconds"] == 0
    assert body["duration_seconds"] == pytest.approx(10, abs=0.5)
    assert body["expires_at"]


def test_the_english_page_plays_the_same_video(viewer, playable):
    # One id for both languages: the translation key.
    assert playable.catalog.english_video.translation_key == playable.key
    assert start(viewer, playable.key, locale="en").status_code == 200


def test_a_player_follows_the_playlists_to_the_key_and_decrypts_the_segments(viewer, playable):
    followed = follow(viewer, start(viewer, playable.key).json()["hls_url"])
    assert followed.master.startswith("#EXTM3U")
    rung_urls = uris(followed.master)
    assert len(rung_urls) == len(playable.asset.renditions) == 3
    assert all(url.startswith(settings.BACKEND_URL) and url.endswith("/index.m3u8") for url in rung_urls)
    segments = uris(followed.rung)
    # Segments at the storage (a CDN in production), absolute, encrypted; the key at our endpoint.
    assert segments and all(
        url.startswith(f"{settings.BACKEND_URL}{settings.MEDIA_URL}hls/") for url in segments
    )
    assert followed.key_url.startswith(f"{settings.BACKEND_URL}/api/v1/videos/{playable.key}/hls/")
    key = viewer.get(local(followed.key_url))
    assert key.status_code == 200
    assert key.content == key_open(playable.asset.content_key_sealed)
    transport_stream = decrypt_first_segment(followed.rung, key.content)
    assert transport_stream[0] == 0x47 and len(transport_stream) % 188 == 0  # MPEG-TS sync bytes


def test_playlists_and_the_key_are_private_and_never_stored(viewer, playable):
    followed = follow(viewer, start(viewer, playable.key).json()["hls_url"])
    master = viewer.get(local(start(viewer, playable.key).json()["hls_url"]))
    rung = viewer.get(local(followed.rung_url))
    key = viewer.get(local(followed.key_url))
    for response in (master, rung):
        assert response["Content-Type"] == "application/vnd.apple.mpegurl"
        assert response["Cache-Control"] == "private, no-store"
    assert key["Content-Type"] == "application/octet-stream"
    assert key["Cache-Control"] == "private, no-store"
    assert len(key.content) == 16


def test_a_free_video_plays_without_a_login(playable):
    player = Client()
    response = start(player, playable.free_key)
    assert response.status_code == 200, response.content
    assert response.json()["watermark"] == {"text": None}
    followed = follow(player, response.json()["hls_url"])
    key = player.get(local(followed.key_url))
    assert key.status_code == 200 and len(key.content) == 16


def test_an_unknown_or_unpublished_video_is_not_found(playable, viewer):
    assert start(viewer, uuid.uuid4()).json()["error"]["code"] == "video_not_found"
    Page.objects.filter(translation_key=playable.key).update(live=False)
    response = start(viewer, playable.key)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "video_not_found"
    assert Client().post("/api/v1/videos/not-a-uuid/playback/").status_code == 404


def test_a_video_still_processing_is_not_ready(playable, viewer):
    VideoAsset.objects.filter(pk=playable.asset.pk).update(status=VideoAsset.Status.PROCESSING)
    response = start(viewer, playable.key)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "video_not_ready"


def test_without_access_a_video_still_processing_is_refused_not_reported(playable, make_user):
    VideoAsset.objects.filter(pk=playable.asset.pk).update(status=VideoAsset.Status.PROCESSING)
    client = Client()
    client.force_login(make_user("neu@example.com"))
    assert start(client, playable.key).status_code == 403


def test_playback_resumes_where_the_viewer_stopped_and_from_the_start_near_the_end(viewer, playable):
    progress = f"/api/v1/me/progress/{playable.key}/"
    viewer.put(
        progress, {"position_seconds": 4.5, "watched_ranges": [[0, 4.5]]}, content_type="application/json"
    )
    assert start(viewer, playable.key).json()["resume_at_seconds"] == 4.5
    viewer.put(
        progress, {"position_seconds": 9.8, "watched_ranges": [[4.5, 9.8]]}, content_type="application/json"
    )
    assert start(viewer, playable.key).json()["resume_at_seconds"] == 0


# ---- The free preview -------------------------------------------------------------------------


def test_the_free_preview_plays_for_anyone_unencrypted(playable):
    player = Client()
    response = player.post(f"/api/v1/videos/{playable.key}/preview/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["preview_seconds"] == playable.asset.preview_seconds > 0
    assert body["hls_url"] == f"{settings.BACKEND_URL}/api/v1/videos/{playable.key}/preview.m3u8"
    playlist = player.get(local(body["hls_url"]))
    assert playlist.status_code == 200
    assert playlist["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "public" in playlist["Cache-Control"]
    text = playlist.content.decode()
    assert "#EXT-X-KEY" not in text
    prefix = f"{settings.BACKEND_URL}{settings.MEDIA_URL}{playable.asset.hls_prefix}preview/"
    assert uris(text) and all(url.startswith(prefix) for url in uris(text))


def test_no_preview_where_the_editor_did_not_turn_it_on(playable):
    response = Client().post(f"/api/v1/videos/{playable.free_key}/preview/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "preview_not_available"
    assert Client().get(f"/api/v1/videos/{playable.free_key}/preview.m3u8").status_code == 404


def test_the_catalogue_gives_the_preview_url_where_there_is_one(playable):
    detail = Client().get("/api/v1/catalog/videos/loeten/").json()
    assert detail["preview_url"] == f"{settings.BACKEND_URL}/api/v1/videos/{playable.key}/preview.m3u8"
    assert Client().get("/api/v1/catalog/videos/gratis/").json()["preview_url"] is None


def test_players_on_the_site_may_fetch_local_segments_and_captions():
    # hls.js fetches segments with XHR from the Astro site's origin (S3/R2: the bucket's CORS rules).
    for path in ("/media/hls/x/g1/540p/seg_00000.ts", "/media/captions/x-de.vtt"):
        response = Client().get(path, headers={"Origin": settings.FRONTEND_URL})
        assert response["Access-Control-Allow-Origin"] == settings.FRONTEND_URL
