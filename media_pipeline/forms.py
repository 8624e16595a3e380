"""Forms of the video admin: uploading a source (page and chooser alike) and captions."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from media_pipeline.captions import caption_validate
from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_create
from media_pipeline.uploads.completion import upload_finish
from media_pipeline.uploads.sessions import upload_load
from media_pipeline.uploads.upload import UploadError, max_upload_bytes


class VideoUploadWidget(forms.FileInput):
    """A file input the admin's upload script (static/media_pipeline/js/video-upload.js) sends
    in chunks with a progress bar, or straight to the bucket; without the script it is a plain
    file input and the whole file comes with the form."""

    template_name = "media_pipeline/widgets/video_upload.html"

    class Media:
        js = ["media_pipeline/js/video-upload.js"]
        css = {"all": ["media_pipeline/css/video-admin.css"]}

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "accept": "video/*,.mkv,.mxf,.mts,.m2ts"}
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            start_url=reverse("videos:upload_start"),
            max_bytes=max_upload_bytes(),
            max_size=filesizeformat(max_upload_bytes()),
        )
        return context


class VideoUploadForm(forms.Form):
    """A title and the source: either the file itself or a finished chunked/direct upload."""

    title = forms.CharField(max_length=255, required=False, help_text="Leave empty to use the file's name.")
    file = forms.FileField(label="Video file", required=False, widget=VideoUploadWidget)
    upload = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and file.size > max_upload_bytes():
            raise ValidationError(
                f"The file ({filesizeformat(file.size)}) is larger than the upload limit of "
                f"{filesizeformat(max_upload_bytes())}."
            )
        if file is not None and file.size == 0:
            raise ValidationError("The file is empty.")
        return file

    def clean_upload(self):
        token = self.cleaned_data.get("upload")
        if not token:
            return None
        try:
            return upload_load(token=token, user=self.user)
        except UploadError as error:
            raise ValidationError(error.message) from error

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("upload") and not self.errors:
            raise ValidationError("Choose a video file.")
        if not cleaned.get("title"):
            source = cleaned.get("file") or cleaned.get("upload")
            name = getattr(source, "name", None) or getattr(source, "filename", "") or "Video"
            cleaned["title"] = PurePath(name).stem.replace("_", " ").strip()[:255] or "Video"
        return cleaned

    def save(self) -> VideoAsset:
        """Create the asset (its processing is queued after commit)."""
        title, upload = self.cleaned_data["title"], self.cleaned_data.get("upload")
        try:
            if upload is not None:
                return upload_finish(upload=upload, title=title)
            file = self.cleaned_data["file"]
            with transaction.atomic():
                return asset_create(title=title, source=file, filename=file.name)
        except UploadError as error:
            self.add_error(None, error.message)
            raise ValidationError(error.message) from error


class CaptionForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    label = forms.CharField(
        max_length=64, required=False, help_text="Shown in the player's menu; defaults to the language."
    )
    file = forms.FileField(
        label="WebVTT file (.vtt)", widget=forms.FileInput(attrs={"accept": ".vtt,text/vtt"})
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        caption_validate(file)
        return file

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("label") and cleaned.get("language"):
            cleaned["label"] = dict(settings.LANGUAGES)[cleaned["language"]]
        return cleaned
