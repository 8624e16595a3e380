"""Playback and progress under ``/api/v1/``. The HLS URLs carry their signed token in the path
(players add nothing to the URLs they are given), and rung playlists are addressed relative to
the master playlist, as HLS expects."""

from django.urls import path

from media_pipeline.api import views

urlpatterns = [
    path("videos/<uuid:video_id>/playback/", views.VideoPlaybackApi.as_view(), name="media-playback"),
    path("videos/<uuid:video_id>/preview/", views.VideoPreviewApi.as_view(), name="media-preview"),
    path(
        "videos/<uuid:video_id>/preview.m3u8",
        views.PreviewPlaylistApi.as_view(),
        name="media-preview-playlist",
    ),
    path(
        "videos/<uuid:video_id>/hls/<str:token>/master.m3u8",
        views.HlsMasterPlaylistApi.as_view(),
        name="media-hls-master",
    ),
    path(
        "videos/<uuid:video_id>/hls/<str:token>/<slug:rung>/index.m3u8",
        views.HlsMediaPlaylistApi.as_view(),
        name="media-hls-rung",
    ),
    path("videos/<uuid:video_id>/hls/<str:token>/key", views.HlsKeyApi.as_view(), name="media-hls-key"),
    path("me/progress/<uuid:video_id>/", views.VideoProgressApi.as_view(), name="me-progress"),
]
