"""Large video uploads from the Wagtail admin: in pieces, in order, resumable.

Two ways, chosen by the private storage (``core.storage``: chunks and sources are pieces of
the unencrypted video, never in the public default storage):

- **Local storage** (the default): the browser PUTs chunks of ``CHUNK_BYTES`` to the admin, in
  order. Each chunk is kept as its own object under ``video-uploads/<id>/`` in the private
  storage, so whichever web process answers the next request can take it (nothing is left on
  one host's disk), and finishing streams the chunks into ``asset_create``.
- **Object storage** (``AWS_PRIVATE_STORAGE_BUCKET_NAME``): the browser sends the parts straight
  to the private bucket with presigned S3 multipart-upload URLs (S3 and R2 take up to 10,000 parts, so
  files far beyond the 5 GB of a single PUT). The server only starts and completes the upload
  and then creates the asset from the object's key: gigabytes never pass through a web process.

An upload is named by a signed token carrying who started it, the file's name and size (and
for the bucket the object key and S3's UploadId). Nothing but the chunks is kept between
requests, so an interrupted upload resumes where its chunks stop, on any web process.
"""

from __future__ import annotations

import contextlib
import io
import math
import mimetypes
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import PurePath

from botocore.exceptions import ClientError
from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.storage import private_storage
from media_pipeline.models import VideoAsset
from media_pipeline.services import STAGE_QUEUED, asset_create, asset_process_enqueue
from media_pipeline.storage import directory_delete

CHUNK_BYTES = 8 * 1024 * 1024
# S3's limits for multipart uploads: at most 10,000 parts of at least 5 MiB (but the last).
S3_MAX_PARTS = 10_000
CHUNKS_DIR = "video-uploads"
TOKEN_SALT = "media_pipeline.uploads"  # noqa: S105 - a namespace for signing, not a secret
# An upload may be resumed for a week; its token (and its presigned URLs) stop working after.
TOKEN_MAX_AGE = 7 * 24 * 3600
PART_URL_SECONDS = 6 * 3600


class UploadError(Exception):
    """An upload request that cannot be honoured; ``code`` is stable, ``message`` for people."""

    def __init__(self, code: str, message: str, *, status: int = 400, **extra):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra


@dataclass(frozen=True)
class Upload:
    id: str
    user_id: int
    filename: str
    size: int
    chunk_size: int
    # Direct-to-bucket uploads only: the object's key and S3's multipart UploadId.
    key: str = ""
    s3_upload_id: str = ""

    @property
    def direct(self) -> bool:
        return bool(self.s3_upload_id)

    @property
    def chunk_count(self) -> int:
        return math.ceil(self.size / self.chunk_size)

    @property
    def token(self) -> str:
        return signing.dumps(asdict(self), salt=TOKEN_SALT, compress=True)

    def chunk_bytes(self, index: int) -> int:
        """The exact size chunk ``index`` must have: all full but the last."""
        return min(self.chunk_size, self.size - index * self.chunk_size)

    def chunk_name(self, index: int) -> str:
        return f"{CHUNKS_DIR}/{self.id}/{index:06d}"


def max_upload_bytes() -> int:
    return settings.MEDIA_UPLOAD_MAX_BYTES


def direct_to_bucket() -> bool:
    """Uploads go straight to the bucket when private files live on S3-compatible storage."""
    return hasattr(private_storage(), "bucket_name")


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
    answer = _s3_client().create_multipart_upload(
        Bucket=private_storage().bucket_name, Key=_s3_key(name_in_storage), ContentType=_content_type(name)
    )
    return Upload(
        id=upload_id,
        user_id=user.pk,
        filename=name,
        size=size,
        chunk_size=part_size,
        key=name_in_storage,
        s3_upload_id=answer["UploadId"],
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
            parts = _s3_parts(upload)
        except ClientError as error:  # completed or aborted: nothing to resume
            raise UploadError(
                "upload_not_found", "This upload is finished or was cancelled.", status=404
            ) from error
        received = 0
        while received < len(parts) and parts[received]["PartNumber"] == received + 1:
            received += 1
        parts = parts[:received]
    else:
        received = _local_chunks_received(upload)
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


def upload_chunk_store(*, upload: Upload, index: int, stream, length: int | None) -> None:
    """Keep chunk ``index`` read from ``stream``. Chunks arrive in order and have exact sizes;
    a chunk sent again (a retry after a lost answer) is accepted once more without change."""
    if upload.direct:
        raise UploadError("wrong_upload_mode", "This upload goes straight to the bucket.")
    if not 0 <= index < upload.chunk_count:
        raise UploadError("chunk_out_of_range", f"This upload has chunks 0 to {upload.chunk_count - 1}.")
    expected = upload.chunk_bytes(index)
    if length is not None and length > expected:
        raise UploadError(
            "chunk_too_large",
            f"Chunk {index} must have {expected} bytes.",
            status=413,
            expected_bytes=expected,
        )
    if index > 0 and not private_storage().exists(upload.chunk_name(index - 1)):
        raise UploadError(
            "chunk_out_of_order",
            f"Chunk {index} came before chunk {index - 1}.",
            status=409,
            next_chunk=_local_chunks_received(upload),
        )
    name = upload.chunk_name(index)
    body = _read_exactly(stream, expected, index)
    if private_storage().exists(name):
        return
    private_storage().save(name, File(body, name=name))


def upload_part_urls(*, upload: Upload, part_numbers: list[int]) -> dict[str, str]:
    """Presigned PUT URLs for parts (1-based) of a direct upload: signing is local, no request."""
    if not upload.direct:
        raise UploadError("wrong_upload_mode", "This upload goes through the admin in chunks.")
    if not part_numbers or len(part_numbers) > 100:
        raise UploadError("invalid_parts", "Ask for 1 to 100 parts at a time.")
    if any(not 1 <= number <= upload.chunk_count for number in part_numbers):
        raise UploadError("chunk_out_of_range", f"This upload has parts 1 to {upload.chunk_count}.")
    client = _s3_client()
    return {
        str(number): client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": private_storage().bucket_name,
                "Key": _s3_key(upload.key),
                "UploadId": upload.s3_upload_id,
                "PartNumber": number,
            },
            ExpiresIn=PART_URL_SECONDS,
            HttpMethod="PUT",
        )
        for number in part_numbers
    }


def upload_complete(*, upload: Upload, parts: list[dict] | None = None) -> None:
    """Check that every chunk has arrived; for a direct upload, have the bucket join the parts
    (``[{"PartNumber", "ETag"}]`` as the browser got them; S3 checks the ETags)."""
    if not upload.direct:
        _local_require_all(upload)
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
    try:
        _s3_client().complete_multipart_upload(
            Bucket=private_storage().bucket_name,
            Key=_s3_key(upload.key),
            UploadId=upload.s3_upload_id,
            MultipartUpload={"Parts": cleaned},
        )
    except ClientError as error:
        raise UploadError(
            "upload_incomplete", f"The bucket refused to join the parts: {error}", status=409
        ) from error


def upload_finish(*, upload: Upload, title: str) -> VideoAsset:
    """Make the asset from a complete upload and queue its processing.

    Local chunks are streamed into ``asset_create`` and deleted after commit. A direct upload's
    object already sits where ``VideoAsset.source`` points, so the asset takes its key: no copy
    through this process. Finishing the same direct upload twice gives the same asset.
    """
    if not upload.direct:
        _local_require_all(upload)
        source = File(_ChunksReader(upload), name=upload.filename)
        source.size = upload.size
        asset = asset_create(title=title, source=source, filename=upload.filename)
        transaction.on_commit(lambda: upload_discard(upload=upload))
        return asset
    existing = VideoAsset.objects.filter(source=upload.key).first()
    if existing:
        return existing
    try:
        size = _s3_client().head_object(Bucket=private_storage().bucket_name, Key=_s3_key(upload.key))[
            "ContentLength"
        ]
    except ClientError as error:
        raise UploadError(
            "upload_incomplete", "The bucket does not hold the whole file yet.", status=409
        ) from error
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
        with contextlib.suppress(ClientError):  # completed or aborted already
            _s3_client().abort_multipart_upload(
                Bucket=private_storage().bucket_name, Key=_s3_key(upload.key), UploadId=upload.s3_upload_id
            )
        return
    directory_delete(f"{CHUNKS_DIR}/{upload.id}/", storage=private_storage())


def uploads_abandoned_delete(*, older_than_seconds: int = TOKEN_MAX_AGE) -> int:
    """Delete the chunks of local uploads nobody finished or cancelled, once their token has
    lapsed (called when an upload starts, so no schedule is needed). Returns how many went."""
    try:
        directories, _files = private_storage().listdir(CHUNKS_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted = 0
    for directory in directories:
        prefix = f"{CHUNKS_DIR}/{directory}/"
        _dirs, names = private_storage().listdir(prefix.rstrip("/"))
        times = [private_storage().get_modified_time(prefix + name) for name in names]
        if not times or max(times) < cutoff:
            directory_delete(prefix, storage=private_storage())
            deleted += 1
    return deleted


def _local_require_all(upload: Upload) -> None:
    received = _local_chunks_received(upload)
    if received < upload.chunk_count:
        raise UploadError(
            "upload_incomplete",
            f"{received} of {upload.chunk_count} chunks have arrived.",
            status=409,
            next_chunk=received,
        )


def _local_chunks_received(upload: Upload) -> int:
    """How many chunks from the first on are stored (the next one expected)."""
    try:
        _dirs, files = private_storage().listdir(f"{CHUNKS_DIR}/{upload.id}")
    except (FileNotFoundError, NotADirectoryError):
        return 0
    present = set(files)
    received = 0
    while received < upload.chunk_count and f"{received:06d}" in present:
        received += 1
    return received


def _read_exactly(stream, expected: int, index: int) -> io.BytesIO:
    """Read the chunk in pieces, refusing it the moment it passes its size (a body with a false
    Content-Length, or none)."""
    buffer = io.BytesIO()
    while buffer.tell() <= expected:
        piece = stream.read(min(1024 * 1024, expected + 1 - buffer.tell()))
        if not piece:
            break
        buffer.write(piece)
    if buffer.tell() > expected:
        raise UploadError(
            "chunk_too_large",
            f"Chunk {index} must have {expected} bytes.",
            status=413,
            expected_bytes=expected,
        )
    if buffer.tell() < expected:
        raise UploadError(
            "chunk_incomplete",
            f"Chunk {index} has {buffer.tell()} of its {expected} bytes.",
            expected_bytes=expected,
        )
    buffer.seek(0)
    return buffer


class _ChunksReader(io.RawIOBase):
    """The stored chunks of an upload read as one file, one chunk open at a time."""

    def __init__(self, upload: Upload):
        self.upload = upload
        self._index = 0
        self._current = None
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # Storage backends rewind before copying; reading from anywhere else is never needed.
        if whence == io.SEEK_SET and offset == 0:
            self._close_current()
            self._index = self._position = 0
            return 0
        if whence == io.SEEK_END and offset == 0:
            return self.upload.size
        raise io.UnsupportedOperation("chunked sources rewind only to their start")

    def readinto(self, buffer) -> int:
        while self._index < self.upload.chunk_count:
            if self._current is None:
                self._current = private_storage().open(self.upload.chunk_name(self._index), "rb")
            data = self._current.read(len(buffer))
            count = len(data)
            buffer[:count] = data
            if count:
                self._position += count
                return count
            self._close_current()
            self._index += 1
        return 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        buffer = bytearray(size)
        count = self.readinto(memoryview(buffer))
        return bytes(buffer[:count])

    def close(self) -> None:
        self._close_current()
        super().close()

    def _close_current(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None


def _clean_filename(filename: str) -> str:
    name = PurePath(str(filename).replace("\\", "/")).name
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # "" and ".."
        name = ""
    return name[-150:] or "video"


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _human(size: float) -> str:
    """Sizes in refusals, independent of the admin's language (1 GB = 1024³ bytes, as browsers say)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def _s3_client():
    """The boto3 client django-storages built from the AWS_* settings (endpoint, region, keys)."""
    return private_storage().connection.meta.client


def _s3_key(name: str) -> str:
    """The object key of a storage name (django-storages prefixes AWS_LOCATION)."""
    normalize = getattr(private_storage(), "_normalize_name", None)
    return normalize(name) if normalize else name


def _s3_parts(upload: Upload) -> list[dict]:
    parts: list[dict] = []
    marker = 0
    client = _s3_client()
    while True:
        answer = client.list_parts(
            Bucket=private_storage().bucket_name,
            Key=_s3_key(upload.key),
            UploadId=upload.s3_upload_id,
            PartNumberMarker=marker,
        )
        parts += [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in answer.get("Parts", [])]
        if not answer.get("IsTruncated"):
            return parts
        marker = answer["NextPartNumberMarker"]
