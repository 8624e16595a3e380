"""What an upload is: ``Upload`` (carried between requests in its signed token), the one
refusal ``UploadError``, and where uploads go (local chunks or straight to the bucket)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core import signing

from core.storage import private_storage

CHUNKS_DIR = "video-uploads"
TOKEN_SALT = "media_pipeline.uploads"  # noqa: S105 - a namespace for signing, not a secret
# An upload may be resumed for a week; its token (and its presigned URLs) stop working after.
TOKEN_MAX_AGE = 7 * 24 * 3600


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
