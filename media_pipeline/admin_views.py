"""The video library in the Wagtail admin: list, upload, status, re-run, captions, chooser.

``VideoAssetViewSet`` is the "Videos" menu item; ``VideoAssetChooserViewSet`` is what
``FieldPanel("video")`` on a page shows (its widget is registered for every ForeignKey to
``VideoAsset``), so editors pick a video or upload one from the page editor. Uploads go through
``media_pipeline.uploads`` (chunks with progress, or straight to the bucket); processing is
``media_pipeline.services``' job, and this module only shows its state and queues re-runs.
"""

from __future__ import annotations

import json
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import EditView, IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from core.storage import private_file_response
from media_pipeline import uploads
from media_pipeline.captions import caption_delete, caption_set
from media_pipeline.forms import CaptionForm, VideoUploadForm
from media_pipeline.models import Caption, VideoAsset
from media_pipeline.services import asset_process_enqueue

permission_policy = ModelPermissionPolicy(VideoAsset)
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


class VideoAssetIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(page_count=Count("pages"))


class VideoAssetEditView(EditView):
    """The title is all an editor edits; the rest of the page is the asset's state: processing,
    poster, renditions, captions (upload per language), the pages showing it, and re-run."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(asset_panels_context(self.request, self.object))
        return context


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


class VideoAssetUploadView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """ "Add a video": a title and a file, sent in chunks with a progress bar by the upload
    script (or straight to the bucket), then the asset is created and its processing queued."""

    model = VideoAsset
    permission_policy = permission_policy
    permission_required = "add"
    form_class = VideoUploadForm
    template_name = "media_pipeline/admin/upload.html"
    page_title = "Upload a video"
    header_icon = "media"
    index_url_name = "videos:index"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Videos"},
            {"url": "", "label": self.page_title},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            asset = form.save()
        except ValidationError:
            return self.form_invalid(form)
        messages.success(self.request, f"“{asset.title}” is uploaded; processing has been queued.")
        return redirect("videos:edit", asset.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["media"] = context["form"].media
        context["direct_to_bucket"] = uploads.direct_to_bucket()
        return context


class VideoAssetViewSet(ModelViewSet):
    model = VideoAsset
    name = "videos"
    url_prefix = "videos"
    icon = "media"
    menu_label = "Videos"
    menu_order = 250
    add_to_admin_menu = True
    form_fields = ["title"]
    search_fields = ["title"]
    search_backend_name = None  # plain ORM search: assets are not in Wagtail's search index
    list_filter = ["status"]
    list_per_page = 30
    copy_view_enabled = False
    index_view_class = VideoAssetIndexView
    edit_view_class = VideoAssetEditView
    add_view_class = VideoAssetUploadView
    edit_template_name = "media_pipeline/admin/edit.html"
    list_display = [
        "title",
        StatusColumn("status", label="Status", sort_key="status"),
        Column("duration", label="Duration", accessor=duration_text),
        Column("renditions", label="Renditions", accessor=renditions_text),
        Column("page_count", label="Pages", sort_key="page_count"),
        DateColumn("created_at", label="Created", sort_key="created_at"),
    ]

    @property
    def add_view(self):
        # Not the generic model form: the upload page has its own form and template.
        return self.construct_view(self.add_view_class)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("status/<int:pk>/", status_view, name="status"),
            path("reprocess/<int:pk>/", reprocess_view, name="reprocess"),
            path("source/<int:pk>/", source_download_view, name="source"),
            path("captions/<int:pk>/", caption_add_view, name="captions"),
            path("captions/<int:pk>/<str:language>/delete/", caption_delete_view, name="caption_delete"),
            path("uploads/", upload_start_view, name="upload_start"),
            path("uploads/<str:token>/", upload_view, name="upload"),
            path("uploads/<str:token>/chunks/<int:index>/", upload_chunk_view, name="upload_chunk"),
            path("uploads/<str:token>/parts/", upload_parts_view, name="upload_parts"),
            path("uploads/<str:token>/complete/", upload_complete_view, name="upload_complete"),
        ]


# -- Processing state and re-run ---------------------------------------------------------------


def _require(request, action: str) -> None:
    if not permission_policy.user_has_permission(request.user, action):
        raise PermissionDenied


def status_view(request, pk: int):
    """The status block of the edit page, polled while the asset processes."""
    _require(request, "change")
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
    _require(request, "change")
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
    _require(request, "change")
    asset = get_object_or_404(VideoAsset, pk=pk)
    if not asset.source:
        raise Http404("This video has no source file.")
    return private_file_response(asset.source, filename=Path(asset.source.name).name)


# -- Captions ----------------------------------------------------------------------------------


@require_POST
def caption_add_view(request, pk: int):
    _require(request, "change")
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
    _require(request, "change")
    caption = get_object_or_404(Caption, asset_id=pk, language=language)
    caption_delete(caption=caption)
    messages.success(request, "Captions deleted.")
    return redirect(reverse("videos:edit", args=[pk]) + "#captions")


# -- Uploads (JSON, called by static/media_pipeline/js/video-upload.js) --------------------------


def _error(error: uploads.UploadError) -> JsonResponse:
    body = {"error": {"code": error.code, "message": error.message, "fields": {}, **error.extra}}
    return JsonResponse(body, status=error.status)


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as problem:
        raise uploads.UploadError("invalid_json", "The request body is not JSON.") from problem
    if not isinstance(data, dict):
        raise uploads.UploadError("invalid_json", "The request body must be a JSON object.")
    return data


def _status(upload: uploads.Upload, *, fresh: bool = False) -> dict:
    token = upload.token
    return {
        **uploads.upload_status(upload=upload, fresh=fresh),
        "urls": {
            "status": reverse("videos:upload", args=[token]),
            "chunks": reverse("videos:upload_chunk", args=[token, 0])[: -len("0/")],
            "parts": reverse("videos:upload_parts", args=[token]),
            "complete": reverse("videos:upload_complete", args=[token]),
        },
    }


def upload_api(view):
    """Upload endpoints: 'add' permission, answers and refusals as JSON in the API's shape."""

    def wrapped(request, *args, **kwargs):
        try:
            _require(request, "add")
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return JsonResponse(
                {
                    "error": {
                        "code": "permission_denied",
                        "message": "You may not upload videos.",
                        "fields": {},
                    }
                },
                status=403,
            )
        except uploads.UploadError as error:
            return _error(error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@upload_api
def upload_start_view(request):
    """POST {"filename", "size"}: open an upload; the answer says how to send it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = _json_body(request)
    try:
        size = int(data.get("size"))
    except (TypeError, ValueError) as problem:
        raise uploads.UploadError("invalid_size", "Say the file's size in bytes.") from problem
    upload = uploads.upload_start(user=request.user, filename=str(data.get("filename") or ""), size=size)
    return JsonResponse(_status(upload, fresh=True), status=201)


@upload_api
def upload_view(request, token: str):
    """GET: how far the upload got (to resume). DELETE: cancel it and discard what arrived."""
    upload = uploads.upload_load(token=token, user=request.user)
    if request.method == "GET":
        return JsonResponse(_status(upload))
    if request.method == "DELETE":
        uploads.upload_discard(upload=upload)
        return JsonResponse({}, status=200)
    return HttpResponseNotAllowed(["GET", "DELETE"])


@upload_api
def upload_chunk_view(request, token: str, index: int):
    """PUT the raw bytes of chunk ``index`` (0-based), in order."""
    if request.method != "PUT":
        return HttpResponseNotAllowed(["PUT"])
    upload = uploads.upload_load(token=token, user=request.user)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) or None
    except ValueError:
        length = None
    # The body is read as a stream: never through request.body, which would hold it in memory
    # and stop at DATA_UPLOAD_MAX_MEMORY_SIZE.
    uploads.upload_chunk_store(upload=upload, index=index, stream=request, length=length)
    received = index + 1
    return JsonResponse(
        {"received_chunks": received, "received_bytes": min(received * upload.chunk_size, upload.size)}
    )


@upload_api
def upload_parts_view(request, token: str):
    """POST {"part_numbers": [1, 2, ...]}: presigned URLs to PUT those parts to the bucket."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    upload = uploads.upload_load(token=token, user=request.user)
    numbers = _json_body(request).get("part_numbers")
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        raise uploads.UploadError("invalid_parts", "part_numbers must be a list of integers.")
    return JsonResponse({"urls": uploads.upload_part_urls(upload=upload, part_numbers=numbers)})


@upload_api
def upload_complete_view(request, token: str):
    """POST {"parts": [{"PartNumber", "ETag"}]} (direct uploads) or {}: every byte arrived."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    upload = uploads.upload_load(token=token, user=request.user)
    parts = _json_body(request).get("parts")
    if parts is not None and not isinstance(parts, list):
        raise uploads.UploadError("invalid_parts", "parts must be a list.")
    uploads.upload_complete(upload=upload, parts=parts)
    return JsonResponse({"upload": upload.token, "complete": True})


# -- Chooser (FieldPanel("video") on pages) ----------------------------------------------------


class VideoFilterForm(BaseFilterForm):
    q = forms.CharField(
        label="Search term", widget=forms.TextInput(attrs={"placeholder": "Search"}), required=False
    )

    def filter(self, objects):
        objects = super().filter(objects)
        if query := self.cleaned_data.get("q"):
            objects = objects.filter(title__icontains=query)
            self.is_searching, self.search_query = True, query
        return objects


class VideoChooseMixin:
    filter_form_class = VideoFilterForm

    @property
    def columns(self):
        return [
            self.title_column,
            StatusColumn("status", label="Status"),
            Column("duration", label="Duration", accessor=duration_text),
            DateColumn("created_at", label="Created"),
        ]


class VideoChooserUploadMixin:
    """The chooser's "Upload" tab: the upload page's form and script, inside the modal."""

    creation_form_template_name = "media_pipeline/admin/chooser_upload.html"

    def get_creation_form_kwargs(self):
        return {**super().get_creation_form_kwargs(), "user": self.request.user}


class VideoChooseView(VideoChooserUploadMixin, VideoChooseMixin, chooser_views.ChooseView):
    pass


class VideoChooseResultsView(VideoChooserUploadMixin, VideoChooseMixin, chooser_views.ChooseResultsView):
    pass


class VideoChooserCreateView(VideoChooserUploadMixin, chooser_views.CreateView):
    def post(self, request):
        self.form = self.get_creation_form()
        if self.form.is_valid():
            try:
                asset = self.form.save()
            except ValidationError:
                return self.get_reshow_creation_form_response()
            return self.get_chosen_response(asset)
        return self.get_reshow_creation_form_response()


class VideoAssetChooserViewSet(ChooserViewSet):
    model = VideoAsset
    name = "video_chooser"
    url_prefix = "video-chooser"
    icon = "media"
    choose_one_text = "Choose a video"
    choose_another_text = "Choose another video"
    edit_item_text = "Edit video"
    create_action_label = "Upload"
    create_action_clicked_label = "Uploading…"
    creation_form_class = VideoUploadForm
    per_page = 20
    choose_view_class = VideoChooseView
    choose_results_view_class = VideoChooseResultsView
    create_view_class = VideoChooserCreateView
