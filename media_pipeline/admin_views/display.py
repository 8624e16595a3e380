"""How an asset shows in the admin: its duration and renditions as text, the status column,
and the panels of its edit page (also rendered alone for the polled status block)."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.tables import Column

from media_pipeline.admin_views.permissions import permission_policy
from media_pipeline.forms import CaptionForm
from media_pipeline.models import VideoAsset

ACTIVE = (VideoAsset.Status.UPLOADED, VideoAsset.Status.PROCESSING)


def duration_text(asset: VideoAsset) -> str:
    seconds = round(asset.duration or asset.duration_seconds)
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def renditions_text(asset: VideoAsset) -> str:
    return " · ".join(rung.get("name", "") for rung in asset.renditions or [])


def storage_url(asset: VideoAsset, name: str) -> str:
    from django.core.files.storage import default_storage

    return default_storage.url(f"{asset.hls_prefix}{name}") if name and asset.hls_prefix else ""


class StatusColumn(Column):
    """Status tag, the stage and progress while processing, the reason of a failure."""

    cell_template_name = "media_pipeline/admin/status_cell.html"


def asset_panels_context(request, asset: VideoAsset, caption_form: CaptionForm | None = None) -> dict:
    pages = [
        {
            "title": page.title,
            "locale": page.locale.language_code,
            "live": page.live,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        }
        for page in asset.pages.select_related("locale").order_by("path")
    ]
    return {
        "asset": asset,
        "duration": duration_text(asset),
        "poster_url": storage_url(asset, asset.poster),
        "storyboard_url": storage_url(asset, asset.storyboard_image),
        "renditions": asset.renditions or [],
        "captions": [
            {"caption": caption, "url": caption.file.url if caption.file else ""}
            for caption in asset.captions.all()
        ],
        "caption_form": caption_form or CaptionForm(),
        "pages": pages,
        "status_url": reverse("videos:status", args=[asset.pk]),
        "reprocess_url": reverse("videos:reprocess", args=[asset.pk]),
        "source_url": reverse("videos:source", args=[asset.pk]),
        "captions_url": reverse("videos:captions", args=[asset.pk]),
        "can_change": permission_policy.user_has_permission(request.user, "change"),
        "is_active": asset.status in ACTIVE,
        "active_statuses": ",".join(ACTIVE),
    }
