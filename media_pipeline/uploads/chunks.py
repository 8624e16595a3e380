"""Local uploads' chunks in the private storage: each stored as its own object under
``video-uploads/<id>/`` (so any web process takes the next one), counted to resume, read back
as one file by ``ChunksReader``, and swept when their upload was abandoned."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files import File
from django.utils import timezone

from core.storage import private_storage
from media_pipeline.storage import directory_delete
from media_pipeline.uploads.upload import CHUNKS_DIR, TOKEN_MAX_AGE, Upload, UploadError


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
            next_chunk=chunks_received(upload),
        )
    name = upload.chunk_name(index)
    body = _read_exactly(stream, expected, index)
    if private_storage().exists(name):
        return
    private_storage().save(name, File(body, name=name))


def chunks_received(upload: Upload) -> int:
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


def chunks_require_all(upload: Upload) -> None:
    """Refuse to go on while a chunk is missing; the refusal names the next one expected."""
    received = chunks_received(upload)
    if received < upload.chunk_count:
        raise UploadError(
            "upload_incomplete",
            f"{received} of {upload.chunk_count} chunks have arrived.",
            status=409,
            next_chunk=received,
        )


def chunks_delete(upload: Upload) -> None:
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


class ChunksReader(io.RawIOBase):
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
