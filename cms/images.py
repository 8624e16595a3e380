"""Thumbnails: a few WebP renditions per image, made when a page is published so that API
reads never resize an image."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import storages
from wagtail.images import get_image_model

THUMBNAIL_SPECS = {
    "small": "fill-320x180|format-webp",
    "medium": "fill-640x360|format-webp",
    "large": "fill-1280x720|format-webp",
}


def thumbnail_renditions_ensure(image) -> None:
    """Create the thumbnail renditions of ``image`` that do not exist yet."""
    if image is not None:
        image.get_renditions(*THUMBNAIL_SPECS.values())


def thumbnails_for(image_ids: Iterable[int]) -> dict[int, dict]:
    """``{image_id: {"small": {"url", "width", "height"}, ...}}`` in one query."""
    ids = {image_id for image_id in image_ids if image_id}
    if not ids:
        return {}
    names = {spec: name for name, spec in THUMBNAIL_SPECS.items()}
    rendition_model = get_image_model().get_rendition_model()
    storage = storages["default"]
    rows = rendition_model.objects.filter(image_id__in=ids, filter_spec__in=names).values_list(
        "image_id", "filter_spec", "file", "width", "height"
    )
    thumbnails: dict[int, dict] = {}
    for image_id, spec, file, width, height in rows:
        thumbnails.setdefault(image_id, {})[names[spec]] = {
            "url": storage.url(file),
            "width": width,
            "height": height,
        }
    return thumbnails
