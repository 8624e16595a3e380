"""The private storage on S3/R2: objects written private, URLs only presigned and short-lived,
never on the public CDN host, whatever the public media's AWS_* settings say."""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from core.s3 import PrivateS3Storage
from core.storage import private_file_response


@pytest.fixture
def private_bucket(settings) -> PrivateS3Storage:
    settings.AWS_S3_CUSTOM_DOMAIN = "media.phialo.example"  # the public bucket's CDN
    settings.AWS_QUERYSTRING_AUTH = False  # the public media's URLs are plain
    settings.AWS_DEFAULT_ACL = None
    return PrivateS3Storage(
        bucket_name="phialo-private",
        querystring_expire=300,
        endpoint_url="https://example-account.r2.cloudflarestorage.com",
        region_name="auto",
        access_key="AKIAPHIALOTEST",
        secret_key="not-a-real-secret",
    )


def test_the_private_bucket_gives_only_short_lived_signed_urls(private_bucket):
    storage = private_bucket

    url = urlsplit(storage.url("invoices/2026/RE-2026-000001-ab.pdf"))

    query = parse_qs(url.query)
    assert url.netloc == "example-account.r2.cloudflarestorage.com"
    assert url.path == "/phialo-private/invoices/2026/RE-2026-000001-ab.pdf"
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"]
    assert storage.default_acl == "private"


def test_staff_downloads_from_the_private_bucket_are_redirects_to_a_signed_attachment(private_bucket):
    file = SimpleNamespace(storage=private_bucket, name="video-sources/abc/Werkbank Kamera.mp4")

    response = private_file_response(file, filename="Werkbank Kamera.mp4")

    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert url.netloc == "example-account.r2.cloudflarestorage.com"
    assert query["response-content-disposition"] == ['attachment; filename="Werkbank Kamera.mp4"']
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
