"""Playback and watch progress over HTTP (../shared/API.md, "Playback"). Thin: read the request,
call :mod:`media_pipeline.playback` or :mod:`media_pipeline.progress`, answer.

Everything here answers ``Cache-Control: private, no-store`` (a token or a person's data is in
every answer) except the free preview's playlist, which is the same for everyone.
"""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import PERSONAL_AUTHENTICATION
from accounts.api.views import PersonalApi
from core.api import ERROR, ErrorsAsJson
from core.errors import ApiError
from core.locale import SUPPORTED, resolve_locale
from media_pipeline import playback, selectors, tokens
from media_pipeline.api import serializers as s
from media_pipeline.progress import progress_report

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
VIDEO_ID = OpenApiParameter(
    "video_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The video's id (its translation key)."
)
TOKEN = OpenApiParameter(
    "token", str, OpenApiParameter.PATH, description="The signed playback token, as `hls_url` carries it."
)
RUNG = OpenApiParameter("rung", str, OpenApiParameter.PATH, description="A rung of the ladder, e.g. `540p`.")
LOCALE = OpenApiParameter(
    "locale",
    str,
    enum=list(SUPPORTED),
    description="language of the offers in a 401/403; else Accept-Language",
)
PLAYLIST = OpenApiResponse(OpenApiTypes.STR, description="An HLS playlist (`application/vnd.apple.mpegurl`).")
KEY = OpenApiResponse(OpenApiTypes.BINARY, description="The 16-byte AES-128 key of the segments.")
REFUSAL = OpenApiResponse(s.RefusalSerializer)


class PrivateApi(APIView):
    """Open to anyone, knowing who is signed in (session, ``X-Session-Token`` or JWT) when they
    are; never stored by a browser or a proxy unless the view says otherwise."""

    authentication_classes = PERSONAL_AUTHENTICATION
    permission_classes = [AllowAny]

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class VideoPlaybackApi(PrivateApi):
    @extend_schema(
        operation_id="video_playback",
        request=None,
        parameters=[VIDEO_ID, LOCALE],
        responses={200: s.PlaybackSerializer, 401: REFUSAL, 403: REFUSAL, 404: ERROR, 409: ERROR},
        description="Start playing a video: a signed HLS URL bound to the caller and an expiry, with "
        "poster, storyboard, captions, the position to resume at and the watermark text. Free videos "
        "play without a login. 401 `not_authenticated` (logged out) or 403 `purchase_required` list "
        "the `offers` that would unlock it: the video and the courses and bundles holding it. 404 "
        "`video_not_found`; 409 `video_not_ready` while the upload is being processed.",
    )
    def post(self, request: Request, video_id: uuid.UUID) -> Response:
        started = playback.playback_start(
            user=request.user, video_key=video_id, locale=resolve_locale(request)
        )
        return Response(s.PlaybackSerializer(started).data)


class VideoPreviewApi(PrivateApi):
    authentication_classes: list = []  # the same for everyone: no session to read

    @extend_schema(
        operation_id="video_preview",
        request=None,
        parameters=[VIDEO_ID],
        responses={200: s.PreviewSerializer, 404: ERROR, 409: ERROR},
        description="The free preview (the first seconds, unencrypted) for anyone, where the editor "
        "turned it on: 404 `preview_not_available` otherwise. The catalogue's video detail gives the "
        "same playlist as `preview_url`.",
    )
    def post(self, request: Request, video_id: uuid.UUID) -> Response:
        return Response(s.PreviewSerializer(playback.preview_start(video_key=video_id)).data)


class HlsApi(PrivateApi):
    """A playlist or key: the answer is not JSON (errors are)."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = ErrorsAsJson

    def token(self, request: Request, video_id: uuid.UUID, value: str) -> tokens.PlaybackToken:
        try:
            token = tokens.token_read(value)
        except tokens.TokenError as error:
            raise ApiError(error.code, str(error), status=403) from None
        playback.token_check(token=token, video_key=video_id, user=request.user)
        return token


def _playlist(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=PLAYLIST_TYPE)


LINK_REFUSALS = (
    "403 `token_invalid` (altered, or not issued for this video), `token_expired` or `token_not_yours` "
    "(the request is signed in as someone else)"
)


class HlsMasterPlaylistApi(HlsApi):
    @extend_schema(
        operation_id="video_hls_master",
        parameters=[VIDEO_ID, TOKEN],
        responses={(200, PLAYLIST_TYPE): PLAYLIST, 403: ERROR, 404: ERROR},
        description=f"The master playlist `hls_url` points at; each rung's URI carries the same token. "
        f"{LINK_REFUSALS}; 404 `playlist_not_found` when the video changed since (start again).",
    )
    def get(self, request: Request, video_id: uuid.UUID, token: str) -> HttpResponse:
        read = self.token(request, video_id, token)
        return _playlist(playback.master_playlist(token=read, token_value=token))


class HlsMediaPlaylistApi(HlsApi):
    @extend_schema(
        operation_id="video_hls_rung",
        parameters=[VIDEO_ID, TOKEN, RUNG],
        responses={(200, PLAYLIST_TYPE): PLAYLIST, 403: ERROR, 404: ERROR},
        description=f"One rung's playlist: the key URI signed with the token, segments (encrypted, "
        f"cacheable) at the storage or CDN. {LINK_REFUSALS}.",
    )
    def get(self, request: Request, video_id: uuid.UUID, token: str, rung: str) -> HttpResponse:
        read = self.token(request, video_id, token)
        return _playlist(playback.media_playlist(token=read, token_value=token, rung=rung))


class HlsKeyApi(HlsApi):
    @extend_schema(
        operation_id="video_hls_key",
        parameters=[VIDEO_ID, TOKEN],
        responses={(200, "application/octet-stream"): KEY, 403: ERROR, 410: ERROR},
        description=f"The content key, after the token and access are checked again: a refund "
        f"stops new keys at once. {LINK_REFUSALS}; 403 `purchase_required` when access ended; 410 "
        f"`playback_outdated` when the video was replaced or unpublished since (start again).",
    )
    def get(self, request: Request, video_id: uuid.UUID, token: str) -> HttpResponse:
        read = self.token(request, video_id, token)
        key = playback.key_release(token=read, user=request.user)
        return HttpResponse(key, content_type="application/octet-stream")


class PreviewPlaylistApi(HlsApi):
    authentication_classes: list = []  # the same for everyone: no session to read

    @extend_schema(
        operation_id="video_preview_playlist",
        parameters=[VIDEO_ID],
        responses={(200, PLAYLIST_TYPE): PLAYLIST, 404: ERROR, 409: ERROR},
        description="The free preview's playlist (unencrypted segments at the storage or CDN), for "
        "anyone; the catalogue's `preview_url`. Cached for a minute.",
    )
    def get(self, request: Request, video_id: uuid.UUID) -> HttpResponse:
        response = _playlist(playback.preview_playlist(video_key=video_id))
        # The same for everyone; short-lived, as the storage may sign segment URLs for a while.
        patch_cache_control(response, public=True, max_age=60)
        return response


class VideoProgressApi(PersonalApi):
    @extend_schema(
        operation_id="me_progress_retrieve",
        parameters=[VIDEO_ID],
        responses={200: s.ProgressSerializer, 401: ERROR, 404: ERROR},
        description="The caller's progress on a video (zeros when never played).",
    )
    def get(self, request: Request, video_id: uuid.UUID) -> Response:
        summary = selectors.progress_of_video(request.user, video_id)
        if summary is None:
            raise ApiError("video_not_found", "There is no such video.", status=404)
        return Response(s.ProgressSerializer(summary).data)

    @extend_schema(
        operation_id="me_progress_update",
        parameters=[VIDEO_ID],
        request=s.ProgressReportSerializer,
        responses={200: s.ProgressSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        description="The player reports its position and the ranges it played (every few seconds "
        "and on pause). Ranges are merged with those stored; `completed` once 90 % of the video's "
        "seconds have actually been played (jumping to the end does not count). 400 `invalid` for "
        "ranges that do not start before they end or lie past the end of the video; 403 "
        "`purchase_required` unless the caller may watch the video.",
    )
    def put(self, request: Request, video_id: uuid.UUID) -> Response:
        report = s.ProgressReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        progress = progress_report(user=request.user, video_key=video_id, **report.validated_data)
        return Response(s.ProgressSerializer(selectors.progress_summary(progress)).data)
