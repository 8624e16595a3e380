"""Upload sessions: open an upload (and, for the bucket, S3's multipart upload), load it again
from its signed token, and say how far it got so the browser resumes after the last whole chunk."""

from __future__ import annotations

import math
import secrets
import uuid
from pathlib import PurePath

from botocore.exceptions import ClientError
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

from media_pipeline.models import VideoAsset
from media_pipeline.uploads.bucket import bucket_parts, bucket_upload_create
from media_pipeline.uploads.chunks import chunks_received, uploads_abandoned_delete
from media_pipeline.uploads.upload import (
    TOKEN_MAX_AGE,
    TOKEN_SALT,
    Upload,
    UploadError,
    direct_to_bucket,
    max_upload_bytes,
)

CHUNK_BYTES = 8 * 1024 * 1024
# S3's limits for multipart uploads: at most 10,000 parts of at least 5 MiB (but the last).
S3_MAX_PARTS = 10_000


def upload_start(*, user, filename: str, size: int) -> Upload:
    """Open an upload of ``size`` bytes; with object storage, start S3's multipart upload."""
    if size <= 0:
        raise UploadError("empty_file", "The file is empty.")
    limit = max_upload_bytes()
    if size > limit:
        raise UploadError(
            "file_too_large",
            f"The file ({_human(size)}) is larger than the upload limit of {_human(limit)}.",
            status=413,
            max_bytes=limit,
        )
    name = _clean_filename(filename)
    upload_id = secrets.token_hex(16)
    if not direct_to_bucket():
        uploads_abandoned_delete()
        return Upload(id=upload_id, user_id=user.pk, filename=name, size=size, chunk_size=CHUNK_BYTES)
    part_size = max(CHUNK_BYTES, math.ceil(size / S3_MAX_PARTS / 2**20) * 2**20)
    # Where asset_create would put it: video-sources/<the asset's uuid>/<name>.
    name_in_storage = f"{VideoAsset.source.field.upload_to}{uuid.uuid4()}/{name}"
    s3_upload_id = bucket_upload_create(name_in_storage=name_in_storage, filename=name)
    return Upload(
        id=upload_id,
        user_id=user.pk,
        filename=name,
        size=size,
        chunk_size=part_size,
        key=name_in_storage,
        s3_upload_id=s3_upload_id,
    )


def upload_load(*, token: str, user) -> Upload:
    """The upload a token names, if this user started it and it has not lapsed."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        upload = Upload(**data)
    except (signing.BadSignature, TypeError) as error:
        raise UploadError("upload_not_found", "This upload is unknown or has expired.", status=404) from error
    if upload.user_id != user.pk:
        raise UploadError("upload_not_found", "This upload is unknown or has expired.", status=404)
    return upload


def upload_status(*, upload: Upload, fresh: bool = False) -> dict:
    """How far the upload got, so the browser resumes after the last whole chunk (``fresh``:
    it has just started, nothing to look up)."""
    if fresh:
        received, parts = 0, []
    elif upload.direct:
        try:
            parts = bucket_parts(upload)
        except ClientError as error:  # completed or aborted: nothing to resume
            raise UploadError(
                "upload_not_found", "This upload is finished or was cancelled.", status=404
            ) from error
        received = 0
        while received < len(parts) and parts[received]["PartNumber"] == received + 1:
            received += 1
        parts = parts[:received]
    else:
        received = chunks_received(upload)
        parts = []
    return {
        "upload": upload.token,
        "mode": "direct" if upload.direct else "chunks",
        "size": upload.size,
        "chunk_size": upload.chunk_size,
        "chunk_count": upload.chunk_count,
        "received_chunks": received,
        "received_bytes": min(received * upload.chunk_size, upload.size),
        "parts": parts,
    }


def _clean_filename(filename: str) -> str:
    name = PurePath(str(filename).replace("\\", "/")).name
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # "" and ".."
        name = ""
    return name[-150:] or "video"


def _human(size: float) -> str:
    """Sizes in refusals, independent of the admin's language (1 GB = 1024³ bytes, as browsers say)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
