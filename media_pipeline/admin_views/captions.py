"""Captions of an asset in the admin: add (or replace) one language's, delete one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from media_pipeline.admin_views.permissions import require_permission
from media_pipeline.captions import caption_delete, caption_set
from media_pipeline.forms import CaptionForm
from media_pipeline.models import Caption, VideoAsset


@require_POST
def caption_add_view(request, pk: int):
    require_permission(request, "change")
    asset = get_object_or_404(VideoAsset, pk=pk)
    form = CaptionForm(request.POST, request.FILES)
    if form.is_valid():
        caption_set(
            asset=asset,
            language=form.cleaned_data["language"],
            label=form.cleaned_data["label"],
            file=form.cleaned_data["file"],
        )
        messages.success(request, f"Captions ({form.cleaned_data['label']}) saved.")
    else:
        problems = "; ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"The captions were not saved: {problems}")
    return redirect(reverse("videos:edit", args=[asset.pk]) + "#captions")


@require_POST
def caption_delete_view(request, pk: int, language: str):
    require_permission(request, "change")
    caption = get_object_or_404(Caption, asset_id=pk, language=language)
    caption_delete(caption=caption)
    messages.success(request, "Captions deleted.")
    return redirect(reverse("videos:edit", args=[pk]) + "#captions")
