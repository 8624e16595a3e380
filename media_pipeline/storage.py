"""Getting files in and out of storage (local media, or S3/R2 through django-storages).

The outputs (``hls/``) go to the default storage, which is public: segments are encrypted, the
key never stored there. Sources and upload chunks are read from, and deleted in, the private
storage (``core.storage``): functions taking a ``storage`` are told which one.

ffmpeg only works on local files, and no storage is assumed to have a local path: the source is
copied into a temporary directory unless the storage already keeps it on this disk, and a run's
outputs are uploaded from there. A run's directory ``hls/<uuid>/g<N>/`` is never written twice,
so everything in it is immutable: on S3 each object gets a year-long ``immutable`` cache header
and the right content type (``media_pipeline.s3.MediaS3Storage``).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from .errors import MediaTransientError

HLS_ROOT = "hls"
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",  # Python's mimetypes says Qt Linguist
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
}
_GENERATION = re.compile(r"^g(\d+)$")


def asset_directory(asset_uuid) -> str:
    return f"{HLS_ROOT}/{asset_uuid}/"


def generation_prefix(asset_uuid, generation: int) -> str:
    """``hls/<uuid>/g<N>/``: where run N of an asset keeps its outputs."""
    return f"{asset_directory(asset_uuid)}g{generation}/"


@contextlib.contextmanager
def local_copy(
    name: str,
    *,
    directory: Path,
    storage: Storage = default_storage,
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[Path]:
    """A local path holding the stored file ``name``: the file itself when the storage keeps
    it on this disk, else a copy in ``directory`` (streamed, never read into memory whole;
    ``on_chunk(bytes_so_far)`` after each MiB, so a long download still shows signs of life)."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None and path.is_file():
        yield path
        return
    target = directory / ("source" + Path(name).suffix.lower())
    try:
        with storage.open(name, "rb") as stored, target.open("wb") as local:
            copied = 0
            while chunk := stored.read(1024 * 1024):
                local.write(chunk)
                copied += len(chunk)
                if on_chunk:
                    on_chunk(copied)
    except FileNotFoundError:
        raise
    except Exception as error:  # any backend's failure (boto, network) is worth a retry
        raise MediaTransientError(f"The source could not be read from storage: {error}") from error
    yield target


def directory_upload(
    local: Path, prefix: str, *, on_file: Callable[[int, int], None] | None = None
) -> list[str]:
    """Upload every file under ``local`` to ``prefix`` + its relative path; returns the names.

    ``on_file(done, total)`` is called after each file."""
    files = sorted(path for path in local.rglob("*") if path.is_file())
    names = []
    for done, path in enumerate(files, start=1):
        name = prefix + path.relative_to(local).as_posix()
        try:
            with path.open("rb") as handle:
                saved = default_storage.save(name, File(handle, name=path.name))
        except Exception as error:  # any backend's failure (boto, network, disk) is worth a retry
            raise MediaTransientError(f"Uploading {name} failed: {error}") from error
        if saved != name:
            # The storage renamed it because the name was taken: this directory is not fresh.
            default_storage.delete(saved)
            raise MediaTransientError(f"{name} already exists in storage")
        names.append(name)
        if on_file:
            on_file(done, len(files))
    return names


def directory_delete(prefix: str, *, storage: Storage = default_storage) -> int:
    """Delete everything under ``prefix`` (ending in "/"); returns how many files went."""
    try:
        directories, files = storage.listdir(prefix.rstrip("/"))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in files:
        storage.delete(prefix + name)
    deleted = len(files)
    for directory in directories:
        deleted += directory_delete(f"{prefix}{directory}/", storage=storage)
    with contextlib.suppress(NotImplementedError, OSError):
        # Local storage leaves the emptied directory behind; object storage has none.
        path = Path(storage.path(prefix))
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    return deleted


def generations_stored(asset_uuid) -> list[int]:
    """The run numbers that have files under ``hls/<uuid>/``, ascending."""
    try:
        directories, _ = default_storage.listdir(asset_directory(asset_uuid).rstrip("/"))
    except (FileNotFoundError, NotADirectoryError):
        return []
    numbers = [int(match.group(1)) for name in directories if (match := _GENERATION.match(name))]
    # Some storages (in-memory) keep a directory once emptied: only one with files counts.
    return sorted(number for number in numbers if _holds_files(generation_prefix(asset_uuid, number)))


def _holds_files(prefix: str) -> bool:
    directories, files = default_storage.listdir(prefix.rstrip("/"))
    return bool(files) or any(_holds_files(f"{prefix}{directory}/") for directory in directories)


def work_directory() -> tempfile.TemporaryDirectory:
    """A scratch directory for one run (removed when the run ends, however it ends)."""
    return tempfile.TemporaryDirectory(prefix="phialo-media-")


def object_parameters(name: str) -> dict:
    """S3 upload parameters for a stored name: cache headers and content type under hls/."""
    if not name.startswith(HLS_ROOT + "/"):
        return {}
    parameters = {"CacheControl": IMMUTABLE}
    content_type = CONTENT_TYPES.get(Path(name).suffix.lower())
    if content_type:
        parameters["ContentType"] = content_type
    return parameters
