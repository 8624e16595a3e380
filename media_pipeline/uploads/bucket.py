"""The S3 multipart calls of a direct-to-bucket upload (``AWS_PRIVATE_STORAGE_BUCKET_NAME``):
start it, presign its parts, list what arrived, join, measure and abort. The bytes go from the
browser to the bucket; only these small requests pass through a web process."""

from __future__ import annotations

import contextlib
import mimetypes

from botocore.exceptions import ClientError

from core.storage import private_storage
from media_pipeline.uploads.upload import Upload, UploadError

PART_URL_SECONDS = 6 * 3600


def bucket_upload_create(*, name_in_storage: str, filename: str) -> str:
    """Start S3's multipart upload of the object ``name_in_storage``; returns its UploadId."""
    answer = s3_client().create_multipart_upload(
        Bucket=private_storage().bucket_name, Key=s3_key(name_in_storage), ContentType=_content_type(filename)
    )
    return answer["UploadId"]


def upload_part_urls(*, upload: Upload, part_numbers: list[int]) -> dict[str, str]:
    """Presigned PUT URLs for parts (1-based) of a direct upload: signing is local, no request."""
    if not upload.direct:
        raise UploadError("wrong_upload_mode", "This upload goes through the admin in chunks.")
    if not part_numbers or len(part_numbers) > 100:
        raise UploadError("invalid_parts", "Ask for 1 to 100 parts at a time.")
    if any(not 1 <= number <= upload.chunk_count for number in part_numbers):
        raise UploadError("chunk_out_of_range", f"This upload has parts 1 to {upload.chunk_count}.")
    client = s3_client()
    return {
        str(number): client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": private_storage().bucket_name,
                "Key": s3_key(upload.key),
                "UploadId": upload.s3_upload_id,
                "PartNumber": number,
            },
            ExpiresIn=PART_URL_SECONDS,
            HttpMethod="PUT",
        )
        for number in part_numbers
    }


def bucket_parts(upload: Upload) -> list[dict]:
    """The parts the bucket holds, ``[{"PartNumber", "ETag"}]`` in order (S3 pages them)."""
    parts: list[dict] = []
    marker = 0
    client = s3_client()
    while True:
        answer = client.list_parts(
            Bucket=private_storage().bucket_name,
            Key=s3_key(upload.key),
            UploadId=upload.s3_upload_id,
            PartNumberMarker=marker,
        )
        parts += [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in answer.get("Parts", [])]
        if not answer.get("IsTruncated"):
            return parts
        marker = answer["NextPartNumberMarker"]


def bucket_parts_join(*, upload: Upload, parts: list[dict]) -> None:
    """Have the bucket join the parts into the object (S3 checks their ETags)."""
    try:
        s3_client().complete_multipart_upload(
            Bucket=private_storage().bucket_name,
            Key=s3_key(upload.key),
            UploadId=upload.s3_upload_id,
            MultipartUpload={"Parts": parts},
        )
    except ClientError as error:
        raise UploadError(
            "upload_incomplete", f"The bucket refused to join the parts: {error}", status=409
        ) from error


def bucket_object_size(upload: Upload) -> int:
    """The size of the joined object, refused while the bucket does not hold it."""
    try:
        return s3_client().head_object(Bucket=private_storage().bucket_name, Key=s3_key(upload.key))[
            "ContentLength"
        ]
    except ClientError as error:
        raise UploadError(
            "upload_incomplete", "The bucket does not hold the whole file yet.", status=409
        ) from error


def bucket_upload_abort(upload: Upload) -> None:
    """Drop the parts already in the bucket (nothing to do if completed or aborted already)."""
    with contextlib.suppress(ClientError):  # completed or aborted already
        s3_client().abort_multipart_upload(
            Bucket=private_storage().bucket_name, Key=s3_key(upload.key), UploadId=upload.s3_upload_id
        )


def s3_client():
    """The boto3 client django-storages built from the AWS_* settings (endpoint, region, keys)."""
    return private_storage().connection.meta.client


def s3_key(name: str) -> str:
    """The object key of a storage name (django-storages prefixes AWS_LOCATION)."""
    normalize = getattr(private_storage(), "_normalize_name", None)
    return normalize(name) if normalize else name


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
