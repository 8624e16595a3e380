"""Completing an upload: check that every byte arrived (for the bucket, have it join the parts),
make the asset and queue its processing, or discard the upload."""

from __future__ import annotations

from django.core.files import File
from django.db import transaction

from media_pipeline.models import VideoAsset
from media_pipeline.services import STAGE_QUEUED, asset_create, asset_process_enqueue
from media_pipeline.uploads.bucket import bucket_object_size, bucket_parts_join, bucket_upload_abort
from media_pipeline.uploads.chunks import ChunksReader, chunks_delete, chunks_require_all
from media_pipeline.uploads.upload import Upload, UploadError


def upload_complete(*, upload: Upload, parts: list[dict] | None = None) -> None:
    """Check that every chunk has arrived; for a direct upload, have the bucket join the parts
    (``[{"PartNumber", "ETag"}]`` as the browser got them; S3 checks the ETags)."""
    if not upload.direct:
        chunks_require_all(upload)
        return
    try:
        cleaned = sorted(
            ({"PartNumber": int(part["PartNumber"]), "ETag": str(part["ETag"])} for part in parts or []),
            key=lambda part: part["PartNumber"],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UploadError("invalid_parts", "Each part needs its PartNumber and ETag.") from error
    if [part["PartNumber"] for part in cleaned] != list(range(1, upload.chunk_count + 1)):
        raise UploadError(
            "upload_incomplete", f"{len(cleaned)} of {upload.chunk_count} parts were named.", status=409
        )
    bucket_parts_join(upload=upload, parts=cleaned)


def upload_finish(*, upload: Upload, title: str) -> VideoAsset:
    """Make the asset from a complete upload and queue its processing.

    Local chunks are streamed into ``asset_create`` and deleted after commit. A direct upload's
    object already sits where ``VideoAsset.source`` points, so the asset takes its key: no copy
    through this process. Finishing the same direct upload twice gives the same asset.
    """
    if not upload.direct:
        chunks_require_all(upload)
        source = File(ChunksReader(upload), name=upload.filename)
        source.size = upload.size
        asset = asset_create(title=title, source=source, filename=upload.filename)
        transaction.on_commit(lambda: upload_discard(upload=upload))
        return asset
    existing = VideoAsset.objects.filter(source=upload.key).first()
    if existing:
        return existing
    size = bucket_object_size(upload)
    if size != upload.size:
        raise UploadError("upload_incomplete", f"The bucket holds {size} of {upload.size} bytes.", status=409)
    with transaction.atomic():
        asset = VideoAsset.objects.create(
            uuid=upload.key.split("/")[-2],
            title=title,
            source=upload.key,
            source_size=size,
            stage=STAGE_QUEUED,
        )
        asset_process_enqueue(asset=asset)
    return asset


def upload_discard(*, upload: Upload) -> None:
    """Forget an upload: its local chunks, or the parts already in the bucket."""
    if upload.direct:
        bucket_upload_abort(upload)
        return
    chunks_delete(upload)
