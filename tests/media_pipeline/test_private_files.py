"""Sources and upload chunks are the unencrypted video: they live in the private storage, which
no URL serves, while the pipeline's public outputs stay public. Staff who may change videos
download a source through the admin; sources go after a successful run when so configured.

The requests are made against ``tests.public_media_urls``: the real URL map plus what the public
bucket (or DEBUG's ``static()``) does, serving anything in the default storage at ``MEDIA_URL``.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage, storages
from django.test import Client

from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_create, asset_process
from media_pipeline.uploads import sessions

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.public_media_urls")]


@pytest.fixture
def short_clip(clip_factory):
    """Two seconds at 320x180: the real pipeline runs in a second or two."""
    return clip_factory(seconds=2, width=320, height=180)


def anonymous_get(name: str):
    """What anyone gets at the file's would-be public URL."""
    return Client(raise_request_exception=False).get(f"{django_settings.MEDIA_URL}{name}")


def assert_private(field_file) -> None:
    assert storages["private"].exists(field_file.name)
    assert not default_storage.exists(field_file.name)
    with pytest.raises(NotImplementedError):
        field_file.url  # noqa: B018 - the property raises: a private file has no URL


def test_a_processed_videos_source_is_not_at_its_public_url_but_its_poster_is(short_clip):
    asset = asset_create(title="Fassen", source=short_clip)
    asset = asset_process(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    assert asset.source.name.startswith(f"video-sources/{asset.uuid}/")
    assert anonymous_get(asset.source.name).status_code == 404
    assert_private(asset.source)
    assert not default_storage.exists(asset.source.name)
    # The outputs the player needs are public (the segments are encrypted, the key is not there).
    assert str(asset.uuid) in default_storage.url(asset.hls_prefix + asset.poster)
    assert anonymous_get(asset.hls_prefix + asset.poster).status_code == 200
    # Kept for another run unless configured otherwise.
    assert asset.source.storage.exists(asset.source.name)


def test_an_upload_chunk_is_not_at_its_public_url(staff_client, django_user_model):
    start = staff_client.post(
        "/admin/videos/uploads/", {"filename": "Werkbank.mp4", "size": 1000}, content_type="application/json"
    ).json()
    assert start["mode"] == "chunks"
    response = staff_client.put(
        f"{start['urls']['chunks']}0/", b"v" * 1000, content_type="application/octet-stream"
    )
    assert response.status_code == 200
    upload = sessions.upload_load(
        token=start["upload"], user=django_user_model.objects.get(email="admin@phialo.localhost")
    )

    chunk = upload.chunk_name(0)

    assert chunk.startswith(f"video-uploads/{upload.id}/")
    assert anonymous_get(chunk).status_code == 404
    assert not default_storage.exists(chunk)
    assert storages["private"].exists(chunk)


def test_sources_are_deleted_after_a_successful_run_when_configured(settings, short_clip):
    settings.MEDIA_DELETE_SOURCES_AFTER_PROCESSING = True
    asset = asset_create(title="Fassen", source=short_clip)
    name = asset.source.name

    asset = asset_process(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    assert not asset.source
    assert not storages["private"].exists(name)
    assert default_storage.exists(asset.hls_prefix + asset.master_playlist)  # still playable


def test_a_failed_run_keeps_the_source_even_when_deleting_is_configured(settings, tmp_path):
    settings.MEDIA_DELETE_SOURCES_AFTER_PROCESSING = True
    broken = tmp_path / "kaputt.mp4"
    broken.write_bytes(b"not a video at all " * 100)
    asset = asset_create(title="Kaputt", source=broken)

    asset = asset_process(asset_id=asset.pk)

    assert asset.status == VideoAsset.Status.FAILED
    assert asset.source
    assert storages["private"].exists(asset.source.name)  # to look into, or to run again


def test_staff_who_may_change_videos_download_the_source_and_no_one_else(
    staff_client, client, django_user_model, second_factor_passed, tmp_path
):
    data = b"source bytes " * 500
    path = tmp_path / "Werkbank.mp4"
    path.write_bytes(data)
    asset = asset_create(title="Werkbank", source=path)
    url = f"/admin/videos/source/{asset.pk}/"

    response = staff_client.get(url)
    anonymous = Client().get(url)
    editor = django_user_model.objects.create_user(email="editor@phialo.localhost", password="x")
    editor.is_staff = True
    editor.save()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    second_factor_passed(client, editor)
    without_permission = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"] == 'attachment; filename="Werkbank.mp4"'
    assert "no-store" in response["Cache-Control"]
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert without_permission.status_code in (302, 403)
    assert not without_permission.get("Content-Disposition")
