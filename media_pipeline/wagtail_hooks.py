"""The video library in the Wagtail admin (media_pipeline.admin_views) and its upload script."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from media_pipeline.admin_views.chooser import VideoAssetChooserViewSet
from media_pipeline.admin_views.library import VideoAssetViewSet


@hooks.register("register_admin_viewset")
def register_video_viewsets():
    # The chooser registers its widget for every ForeignKey to VideoAsset, so FieldPanel("video")
    # on VideoPage (and the course trailer) opens it without anything said on the page model.
    return [VideoAssetViewSet(), VideoAssetChooserViewSet()]


@hooks.register("insert_global_admin_js")
def video_upload_script():
    # Global rather than per widget: the chooser's upload tab arrives inside a modal, after the
    # page editor has loaded, and the script listens for its form there.
    return format_html(
        '<script src="{}" defer></script><link rel="stylesheet" href="{}">',
        static("media_pipeline/js/video-upload.js"),
        static("media_pipeline/css/video-admin.css"),
    )
