"""The video chooser behind ``FieldPanel("video")`` on pages: search, pick, or upload in its
"Upload" tab with the upload page's form and script."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from media_pipeline.admin_views.display import StatusColumn, duration_text
from media_pipeline.forms import VideoUploadForm
from media_pipeline.models import VideoAsset


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
