"""An asset's processing in the admin: the status block polled while it runs, "re-run", and
the download of its unencrypted source."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from core.storage import private_file_response
from media_pipeline.admin_views.display import asset_panels_context
from media_pipeline.admin_views.permissions import require_permission
from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_process_enqueue


def status_view(request, pk: int):
    """The status block of the edit page, polled while the asset processes."""
    require_permission(request, "change")
    asset = get_object_or_404(VideoAsset, pk=pk)
    context = asset_panels_context(request, asset)
    return JsonResponse(
        {
            "status": asset.status,
            "stage": asset.stage,
            "progress": asset.progress,
            "failure_reason": asset.failure_reason,
            "html": render_to_string("media_pipeline/admin/_processing.html", context, request),
        }
    )


@require_POST
def reprocess_view(request, pk: int):
    require_permission(request, "change")
    asset = get_object_or_404(VideoAsset, pk=pk)
    if not asset.source:
        messages.error(request, "This video has no source file to process.")
        return redirect("videos:edit", asset.pk)
    asset_process_enqueue(asset=asset)
    messages.success(
        request,
        f"“{asset.title}” is queued for processing again. "
        "Viewers keep the current version until the new one is ready.",
    )
    return redirect("videos:edit", asset.pk)


def source_download_view(request, pk: int):
    """The unencrypted source, for staff who may change videos: it has no public URL (private
    storage), so this view is the only way to it."""
    require_permission(request, "change")
    asset = get_object_or_404(VideoAsset, pk=pk)
    if not asset.source:
        raise Http404("This video has no source file.")
    return private_file_response(asset.source, filename=Path(asset.source.name).name)
