"""The private storage on S3/R2: objects written private, URLs only presigned and short-lived,
never on the public CDN host, whatever the public media's AWS_* settings say."""

from urllib.parse import parse_qs, urlsplit

from config.s3 import PrivateS3Storage


def test_the_private_bucket_gives_only_short_lived_signed_urls(settings):
    settings.AWS_S3_CUSTOM_DOMAIN = "media.phialo.example"  # the public bucket's CDN
    settings.AWS_QUERYSTRING_AUTH = False  # the public media's URLs are plain
    settings.AWS_DEFAULT_ACL = None
    storage = PrivateS3Storage(
        bucket_name="phialo-private",
        querystring_expire=300,
        endpoint_url="https://example-account.r2.cloudflarestorage.com",
        region_name="auto",
        access_key="AKIAPHIALOTEST",
        secret_key="not-a-real-secret",
    )

    url = urlsplit(storage.url("invoices/2026/RE-2026-000001-ab.pdf"))

    query = parse_qs(url.query)
    assert url.netloc == "example-account.r2.cloudflarestorage.com"
    assert url.path == "/phialo-private/invoices/2026/RE-2026-000001-ab.pdf"
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"]
    assert storage.default_acl == "private"
