"""The private storage on S3/R2 (``STORAGES["private"]`` when ``AWS_STORAGE_BUCKET_NAME`` is set).

Kept apart from ``core.storage`` so that importing the models does not import boto3 where S3
is not used.
"""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """A private bucket: objects written with ``ACL: private``, URLs only presigned and short-lived
    (``querystring_expire``). Whatever the AWS_* settings say for the public media, ``url()``
    never uses the CDN's custom domain, which would serve the object to anyone."""

    def __init__(self, **settings):
        settings.update(default_acl="private", querystring_auth=True, custom_domain=None)
        super().__init__(**settings)
