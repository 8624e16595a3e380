"""Captions of an asset: one WebVTT file per language, checked before it is kept.

Players only load WebVTT, and a file that is not (an SRT renamed, a Word export) fails
silently in the viewer's browser, so it is refused at upload with a reason the editor can act on.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from media_pipeline.models import Caption, VideoAsset

MAX_CAPTION_BYTES = 2 * 1024 * 1024


def caption_validate(file) -> None:
    """A WebVTT file: UTF-8, starting with ``WEBVTT`` (after an optional byte-order mark)
    followed by a space, a tab or the end of the line, and at least one cue timing."""
    if file.size > MAX_CAPTION_BYTES:
        raise ValidationError("Caption files may have at most 2 MB.", code="caption_too_large")
    file.seek(0)
    raw = file.read()
    file.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError("Caption files must be UTF-8 text.", code="caption_not_utf8") from error
    first_line = text.splitlines()[0] if text else ""
    if not (first_line == "WEBVTT" or first_line.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(
            "This is not a WebVTT file: its first line must be “WEBVTT”. "
            "(SubRip .srt files need converting to .vtt first.)",
            code="caption_not_webvtt",
        )
    if "-->" not in text:
        raise ValidationError("This WebVTT file has no cues (no “-->” timings).", code="caption_no_cues")


@transaction.atomic
def caption_set(*, asset: VideoAsset, language: str, label: str, file) -> Caption:
    """Add or replace the captions of one language. The replaced file is deleted after commit."""
    caption_validate(file)
    caption = Caption.objects.select_for_update().filter(asset=asset, language=language).first()
    old_name = caption.file.name if caption else ""
    if caption is None:
        caption = Caption(asset=asset, language=language)
    caption.label = label
    caption.file.save(f"{asset.uuid}-{language}.vtt", file, save=False)
    caption.save()
    if old_name and old_name != caption.file.name:
        storage = caption.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return caption


@transaction.atomic
def caption_delete(*, caption: Caption) -> None:
    storage, name = caption.file.storage, caption.file.name
    caption.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
