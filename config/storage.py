"""The private file storage: what must never have a public URL.

Video sources (unencrypted, the whole paid video), upload chunks (pieces of one) and invoices
(names, addresses, amounts) live in ``STORAGES["private"]``, never in the default storage, whose
files are public by design (the HLS segments and posters behind the CDN, or ``MEDIA_URL``).

- Locally it is a directory outside ``MEDIA_ROOT`` (``PRIVATE_MEDIA_ROOT``) that no URL serves:
  :class:`PrivateFileSystemStorage` has no ``url()`` at all, so a template or the admin cannot
  even print a link by mistake.
- With object storage it is a bucket of its own (``AWS_PRIVATE_STORAGE_BUCKET_NAME``) written
  with a private ACL, and ``config.s3.PrivateS3Storage`` only gives signed URLs that lapse after
  ``AWS_PRIVATE_QUERYSTRING_EXPIRE`` seconds (never the CDN's host).

People get these files only through views that check who asks (the buyer's invoice download,
staff's views), which read them with ``open()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core.files import File
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage, storages
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

PRIVATE = "private"


def private_storage() -> Storage:
    """The private storage, for ``FileField(storage=private_storage)``: a callable, so the field
    follows ``STORAGES`` (tests swap it) and migrations name the function, not a path on disk."""
    return storages[PRIVATE]


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
    """Hand a private file to someone a view has already checked: a redirect to a signed URL
    that lapses in minutes where the storage signs them (a private bucket: the bytes do not pass
    through a web process), else the file streamed from here. Never cached."""
    try:
        response = HttpResponseRedirect(file.storage.url(file.name))
    except NotImplementedError:
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
