"""The "Videos" menu item: the list of assets, the edit page (title plus the asset's state), the
upload page, and every admin URL of the video library (views in the sibling modules)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import EditView, IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet

from media_pipeline.admin_views.captions import caption_add_view, caption_delete_view
from media_pipeline.admin_views.display import (
    StatusColumn,
    asset_panels_context,
    duration_text,
    renditions_text,
)
from media_pipeline.admin_views.permissions import permission_policy
from media_pipeline.admin_views.processing import reprocess_view, source_download_view, status_view
from media_pipeline.admin_views.upload_api import (
    upload_chunk_view,
    upload_complete_view,
    upload_parts_view,
    upload_start_view,
    upload_view,
)
from media_pipeline.forms import VideoUploadForm
from media_pipeline.models import VideoAsset
from media_pipeline.uploads.upload import direct_to_bucket


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
        context["direct_to_bucket"] = direct_to_bucket()
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
