"""With object storage configured the browser sends the file straight to the bucket: S3
multipart parts on presigned URLs. The server starts and completes the upload and makes the
asset from the object's key. The bucket is replaced at botocore's HTTP boundary (Stubber);
presigning is local and checked for what the browser will send."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.stub import ANY, Stubber

from core.storage import private_storage
from media_pipeline.models import VideoAsset

pytestmark = pytest.mark.django_db

BUCKET = "phialo-media"
MiB = 1024 * 1024


@pytest.fixture
def bucket(settings):
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_S3_ENDPOINT_URL = "https://example-account.r2.cloudflarestorage.com"
    settings.AWS_S3_REGION_NAME = "auto"
    settings.AWS_ACCESS_KEY_ID = "AKIAPHIALOTEST"
    settings.AWS_SECRET_ACCESS_KEY = "not-a-real-secret"
    settings.AWS_QUERYSTRING_AUTH = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        "private": {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": {"bucket_name": BUCKET}},
    }
    client = private_storage().connection.meta.client
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def start(client, size: int):
    return client.post(
        "/admin/videos/uploads/", {"filename": "Fassen 4K.mov", "size": size}, content_type="application/json"
    )


def started(client, bucket, size: int) -> dict:
    bucket.add_response(
        "create_multipart_upload",
        {"Bucket": BUCKET, "Key": "k", "UploadId": "r2-upload-1"},
        {"Bucket": BUCKET, "Key": ANY, "ContentType": "video/quicktime"},
    )
    response = start(client, size)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_browser_gets_presigned_part_urls_for_the_bucket(staff_client, bucket):
    body = started(staff_client, bucket, size=20 * MiB)

    assert body["mode"] == "direct"
    assert body["chunk_size"] == 8 * MiB
    assert body["chunk_count"] == 3
    response = staff_client.post(
        body["urls"]["parts"], {"part_numbers": [1, 2, 3]}, content_type="application/json"
    )

    assert response.status_code == 200
    urls = response.json()["urls"]
    assert sorted(urls) == ["1", "2", "3"]
    for number, url in urls.items():
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert parts.scheme == "https"
        assert parts.netloc.endswith("r2.cloudflarestorage.com")
        assert BUCKET in parts.netloc + parts.path
        assert parts.path.endswith("/Fassen_4K.mov")
        assert "/video-sources/" in parts.path
        assert query["partNumber"] == [number]
        assert query["uploadId"] == ["r2-upload-1"]
        assert query["X-Amz-Expires"] == ["21600"]
        assert query["X-Amz-Credential"][0].startswith("AKIAPHIALOTEST/")
        assert query["X-Amz-Signature"]


def test_parts_beyond_the_file_are_refused(staff_client, bucket):
    body = started(staff_client, bucket, size=9 * MiB)

    response = staff_client.post(
        body["urls"]["parts"], {"part_numbers": [3]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "chunk_out_of_range"


def test_a_completed_direct_upload_becomes_an_asset_without_copying(
    staff_client, bucket, django_capture_on_commit_callbacks
):
    body = started(staff_client, bucket, size=12 * MiB)
    parts = [{"PartNumber": 2, "ETag": '"b2"'}, {"PartNumber": 1, "ETag": '"a1"'}]
    bucket.add_response(
        "complete_multipart_upload",
        {"Bucket": BUCKET, "Key": "k", "ETag": '"whole-2"'},
        {
            "Bucket": BUCKET,
            "Key": ANY,
            "UploadId": "r2-upload-1",
            "MultipartUpload": {
                "Parts": [{"PartNumber": 1, "ETag": '"a1"'}, {"PartNumber": 2, "ETag": '"b2"'}]
            },
        },
    )
    complete = staff_client.post(body["urls"]["complete"], {"parts": parts}, content_type="application/json")
    assert complete.status_code == 200, complete.content
    bucket.add_response("head_object", {"ContentLength": 12 * MiB}, {"Bucket": BUCKET, "Key": ANY})

    with django_capture_on_commit_callbacks() as queued:
        response = staff_client.post(
            "/admin/videos/new/", {"title": "Fassen in 4K", "upload": body["upload"]}
        )

    assert response.status_code == 302
    asset = VideoAsset.objects.get()
    assert asset.source.name.startswith("video-sources/")
    assert asset.source.name.endswith("/Fassen_4K.mov")
    assert asset.source_size == 12 * MiB
    assert queued, "processing is queued after commit"


def test_completing_with_a_missing_part_is_refused(staff_client, bucket):
    body = started(staff_client, bucket, size=12 * MiB)

    response = staff_client.post(
        body["urls"]["complete"],
        {"parts": [{"PartNumber": 1, "ETag": '"a1"'}]},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "upload_incomplete"


def test_a_direct_upload_resumes_from_the_parts_the_bucket_holds(staff_client, bucket):
    body = started(staff_client, bucket, size=20 * MiB)
    bucket.add_response(
        "list_parts",
        {"Parts": [{"PartNumber": 1, "ETag": '"a1"', "Size": 8 * MiB}], "IsTruncated": False},
        {"Bucket": BUCKET, "Key": ANY, "UploadId": "r2-upload-1", "PartNumberMarker": 0},
    )

    status = staff_client.get(body["urls"]["status"]).json()

    assert status["received_chunks"] == 1
    assert status["parts"] == [{"PartNumber": 1, "ETag": '"a1"'}]


def test_an_oversized_file_is_refused_before_the_bucket_is_asked(staff_client, bucket, settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = 100 * MiB

    response = start(staff_client, 101 * MiB)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
