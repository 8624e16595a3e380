"""The S3/R2 storage media uses when ``AWS_STORAGE_BUCKET_NAME`` is set.

A run's outputs under ``hls/<uuid>/g<N>/`` never change (a new run writes a new directory), so
they are uploaded with ``Cache-Control: public, max-age=31536000, immutable`` and their real
content types: a CDN in front of the bucket keeps segments for good, and the encrypted segments
are useless without the key, which is never stored there. Kept apart from ``storage.py`` so
that importing the pipeline does not import boto3 where S3 is not used.
"""

from storages.backends.s3 import S3Storage

from .storage import object_parameters


class MediaS3Storage(S3Storage):
    """django-storages' S3 storage with per-object cache headers for the HLS outputs."""

    def get_object_parameters(self, name):
        return {**super().get_object_parameters(name), **object_parameters(name)}
