"""The private file storage: what must never have a public URL.

Video sources (unencrypted, the whole paid video), upload chunks (pieces of one) and invoices
(names, addresses, amounts) live in ``STORAGES["private"]``, never in the default storage, whose
files are public by design (the HLS segments and posters behind the CDN, or ``MEDIA_URL``).

- Locally it is a directory outside ``MEDIA_ROOT`` (``PRIVATE_MEDIA_ROOT``) that no URL serves:
  :class:`PrivateFileSystemStorage` has no ``url()`` at all, so a template or the admin cannot
  even print a link by mistake.
- With object storage it is a bucket of its own (``AWS_PRIVATE_STORAGE_BUCKET_NAME``) written
  with a private ACL, and ``core.s3.PrivateS3Storage`` only gives signed URLs that lapse after
  ``AWS_PRIVATE_QUERYSTRING_EXPIRE`` seconds (never the CDN's host).

People get these files only through views that check who asks (the buyer's invoice download,
staff's views), which read them with ``open()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core.files import File
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage, storages
from django.core.signals import setting_changed
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header

PRIVATE = "private"


class _PrivateStorage(LazyObject):
    """``STORAGES["private"]``, looked up when first used (as ``default_storage`` is), so that a
    field holding it follows a change of ``STORAGES`` (tests) instead of keeping the storage
    that was configured when the models were loaded."""

    def _setup(self):
        self._wrapped = storages[PRIVATE]


_private = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_reset(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> Storage:
    """The private storage, for ``FileField(storage=private_storage)``: a callable, so that
    migrations name this function, not the storage class and a path on this disk."""
    return _private


class NoPublicUrl:
    """A storage whose files have no URL: they are read by views that check permissions."""

    def url(self, name):
        raise NotImplementedError(
            "Files in the private storage have no public URL; serve them through a view that checks who asks."
        )


class PrivateFileSystemStorage(NoPublicUrl, FileSystemStorage):
    """A directory on this disk (``PRIVATE_MEDIA_ROOT``, never under ``MEDIA_ROOT``)."""


class PrivateInMemoryStorage(NoPublicUrl, InMemoryStorage):
    """The test suite's private storage: in memory, like its default storage, and as URL-less as
    the real one."""


def private_file_response(file: FieldFile, *, filename: str) -> HttpResponse:
    """Hand a private file to someone a view has already checked: from a private bucket, a
    redirect to a presigned URL that lapses in minutes (the bytes do not pass through a web
    process); else the file streamed from here. A download named ``filename``, never cached."""
    if getattr(file.storage, "querystring_auth", False):
        disposition = content_disposition_header(as_attachment=True, filename=filename)
        url = file.storage.url(file.name, parameters={"ResponseContentDisposition": disposition})
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(file.open("rb"), as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def private_files_move(*, directories: Iterable[str] = ()) -> list[str]:
    """Move into the private storage what an older version left in the default (public) one:
    the file of every ``FileField`` that now uses the private storage, and everything under
    ``directories`` (names in the default storage, e.g. ``video-uploads``). Safe to run again:
    a file already in the private storage is only deleted from the public one. Returns the names
    moved, each removed from the public storage only once its copy is written."""
    public, private = storages["default"], private_storage()
    names: list[str] = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and field.storage is private:
                rows = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                names += [name for name in rows.iterator() if name]
    for directory in directories:
        names += _files_under(public, directory.strip("/") + "/")
    moved = []
    for name in dict.fromkeys(names):
        if not public.exists(name):
            continue
        if not private.exists(name):
            with public.open(name, "rb") as handle:
                saved = private.save(name, File(handle, name=name))
            if saved != name:  # the private storage renamed it: leave both for a person to look at
                private.delete(saved)
                raise FileExistsError(f"{name} could not be written under its own name")
        public.delete(name)
        moved.append(name)
    return moved


def _files_under(storage: Storage, prefix: str) -> list[str]:
    try:
        directories, files = storage.listdir(prefix.rstrip("/"))
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [prefix + name for name in files]
    for directory in directories:
        names += _files_under(storage, f"{prefix}{directory}/")
    return names
