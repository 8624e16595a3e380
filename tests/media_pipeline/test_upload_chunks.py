"""Staff upload large sources from the Wagtail admin in chunks, in order, with a size limit;
an interrupted upload resumes, and the finished one becomes an asset whose processing is queued."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from core.storage import private_storage
from demo.accounts import seed_admin
from media_pipeline.models import VideoAsset
from media_pipeline.uploads import chunks, sessions

pytestmark = pytest.mark.django_db

CHUNK = 64 * 1024


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Chunks of 64 KiB so that a short clip comes in several pieces."""
    monkeypatch.setattr(sessions, "CHUNK_BYTES", CHUNK)


def start(client, *, size: int, filename: str = "Werkbank Kamera 1.mp4"):
    return client.post(
        "/admin/videos/uploads/", {"filename": filename, "size": size}, content_type="application/json"
    )


def put_chunk(client, body: dict, index: int, data: bytes):
    return client.put(f"{body['urls']['chunks']}{index}/", data, content_type="application/octet-stream")


def send_all(client, data: bytes) -> dict:
    body = start(client, size=len(data)).json()
    for index in range(body["chunk_count"]):
        response = put_chunk(client, body, index, data[index * CHUNK : (index + 1) * CHUNK])
        assert response.status_code == 200, response.json()
    assert client.post(body["urls"]["complete"], {}, content_type="application/json").status_code == 200
    return body


def test_a_chunked_upload_becomes_an_asset_and_queues_processing(
    staff_client, sample_clip, django_capture_on_commit_callbacks
):
    data = sample_clip.read_bytes()
    body = start(staff_client, size=len(data)).json()
    assert body["mode"] == "chunks"
    assert body["chunk_count"] == -(-len(data) // CHUNK) > 3
    assert body["received_chunks"] == 0
    for index in range(body["chunk_count"]):
        response = put_chunk(staff_client, body, index, data[index * CHUNK : (index + 1) * CHUNK])
        assert response.status_code == 200
        assert response.json()["received_chunks"] == index + 1
    assert staff_client.post(body["urls"]["complete"], {}, content_type="application/json").status_code == 200

    with django_capture_on_commit_callbacks() as queued:
        response = staff_client.post("/admin/videos/new/", {"title": "Werkbank", "upload": body["upload"]})

    asset = VideoAsset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/videos/edit/{asset.pk}/"
    assert asset.title == "Werkbank"
    assert asset.source_size == len(data)
    with asset.source.open("rb") as stored:
        assert stored.read() == data
    assert asset.status == VideoAsset.Status.UPLOADED
    assert queued, "processing is queued after commit"


def test_the_chunks_are_gone_once_the_asset_exists(staff_client, django_capture_on_commit_callbacks):
    data = bytes(range(256)) * 1000
    body = send_all(staff_client, data)
    upload = sessions.upload_load(token=body["upload"], user=seed_admin(password="secret-for-tests"))
    assert private_storage().exists(upload.chunk_name(0))

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/admin/videos/new/", {"title": "", "upload": body["upload"]})

    assert VideoAsset.objects.get().title == "Werkbank Kamera 1"  # from the file's name
    assert not private_storage().exists(upload.chunk_name(0))


def test_chunks_out_of_order_are_refused_with_where_to_go_on(staff_client):
    data = b"x" * (CHUNK * 3)
    body = start(staff_client, size=len(data)).json()
    assert put_chunk(staff_client, body, 0, data[:CHUNK]).status_code == 200

    response = put_chunk(staff_client, body, 2, data[2 * CHUNK :])

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "chunk_out_of_order"
    assert response.json()["error"]["next_chunk"] == 1


def test_a_chunk_sent_again_after_a_lost_answer_is_accepted_once(staff_client):
    data = b"y" * (CHUNK + 10)
    body = start(staff_client, size=len(data)).json()
    assert put_chunk(staff_client, body, 0, data[:CHUNK]).status_code == 200
    assert put_chunk(staff_client, body, 0, data[:CHUNK]).status_code == 200

    status = staff_client.get(body["urls"]["status"]).json()

    assert status["received_chunks"] == 1
    assert status["received_bytes"] == CHUNK


def test_an_interrupted_upload_resumes_after_its_last_chunk(staff_client):
    data = b"z" * (CHUNK * 2 + 5)
    body = start(staff_client, size=len(data)).json()
    put_chunk(staff_client, body, 0, data[:CHUNK])

    status = staff_client.get(f"/admin/videos/uploads/{body['upload']}/").json()

    assert status["received_chunks"] == 1
    assert put_chunk(staff_client, status, 1, data[CHUNK : 2 * CHUNK]).status_code == 200
    assert put_chunk(staff_client, status, 2, data[2 * CHUNK :]).status_code == 200
    assert (
        staff_client.post(status["urls"]["complete"], {}, content_type="application/json").status_code == 200
    )


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"a" * (CHUNK + 1), "chunk_too_large", 413),
        (b"a" * (CHUNK - 1), "chunk_incomplete", 400),
    ],
)
def test_a_chunk_of_the_wrong_size_is_refused(staff_client, data, code, status):
    body = start(staff_client, size=CHUNK * 2).json()

    response = put_chunk(staff_client, body, 0, data)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert staff_client.get(body["urls"]["status"]).json()["received_chunks"] == 0


def test_a_file_over_the_limit_is_refused_before_a_byte_is_sent(staff_client, settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = 10 * 1024**2

    response = start(staff_client, size=10 * 1024**2 + 1)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert "larger than the upload limit of 10.0 MB" in response.json()["error"]["message"]


def test_an_empty_file_is_refused(staff_client):
    response = start(staff_client, size=0)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_file"


def test_an_unfinished_upload_cannot_become_an_asset(staff_client):
    body = start(staff_client, size=CHUNK * 2).json()
    put_chunk(staff_client, body, 0, b"b" * CHUNK)

    complete = staff_client.post(body["urls"]["complete"], {}, content_type="application/json")
    page = staff_client.post("/admin/videos/new/", {"title": "Half", "upload": body["upload"]})

    assert complete.status_code == 409
    assert complete.json()["error"]["code"] == "upload_incomplete"
    assert page.status_code == 200
    assert "1 of 2 chunks have arrived" in page.content.decode()
    assert not VideoAsset.objects.exists()


def test_someone_elses_or_a_tampered_upload_is_unknown(staff_client, django_user_model, client):
    body = start(staff_client, size=100).json()
    tampered = body["upload"][:-3] + ("AAA" if not body["upload"].endswith("AAA") else "BBB")

    response = staff_client.get(f"/admin/videos/uploads/{tampered}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "upload_not_found"


def test_a_cancelled_upload_discards_its_chunks(staff_client):
    body = start(staff_client, size=CHUNK * 2).json()
    put_chunk(staff_client, body, 0, b"c" * CHUNK)

    assert staff_client.delete(body["urls"]["status"]).status_code == 200

    assert staff_client.get(body["urls"]["status"]).json()["received_chunks"] == 0


def test_only_staff_who_may_add_videos_can_upload(client, django_user_model, second_factor_passed):
    editor = django_user_model.objects.create_user(email="editor@phialo.localhost", password="x")
    editor.is_staff = True
    editor.save()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    second_factor_passed(client, editor)

    response = start(client, size=100)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = start(client, size=100)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_upload_page_offers_the_chunked_uploader(staff_client):
    response = staff_client.get("/admin/videos/new/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-video-upload data-start-url="/admin/videos/uploads/"' in html
    assert "media_pipeline/js/video-upload.js" in html


def test_chunks_of_uploads_nobody_finished_go_once_their_token_lapsed(staff_client):
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    body = start(staff_client, size=CHUNK * 2).json()
    put_chunk(staff_client, body, 0, b"d" * CHUNK)
    upload = sessions.upload_load(token=body["upload"], user=seed_admin(password="secret-for-tests"))

    chunks.uploads_abandoned_delete()
    assert private_storage().exists(upload.chunk_name(0))  # a week to resume
    with freeze_time(timezone.now() + timedelta(days=8)):
        start(staff_client, size=100)  # starting an upload sweeps the abandoned ones

    assert not private_storage().exists(upload.chunk_name(0))
