"""Playback: who may watch, the signed HLS URLs they get, the playlists, and the content key.

1. :func:`playback_start` (``POST /api/v1/videos/{id}/playback/``) asks the shop's access
   function (``settings.SHOP_ACCESS_FUNCTION``, never imported directly) and answers with a
   master-playlist URL carrying a signed token (:mod:`media_pipeline.tokens`) bound to the viewer,
   the asset's published run and an expiry, plus poster, storyboard, captions, where to resume and
   the watermark text the player lays over the picture.
2. :func:`master_playlist` and :func:`media_playlist` serve the run's playlists from storage with
   every URI made absolute: rungs and the key point back here under the same token, segments at
   the storage (a CDN in production). Segments are AES-128 encrypted and immutable, so anyone may
   cache them; the playlists hold the token and are never cached.
3. :func:`key_release` hands out the 16-byte key after checking the token, that the caller is not
   someone else, that the run is still the published one and, again, access: a refund stops new
   keys at once, however long the token has left.

Free videos play without a login (the token names no viewer; access is still asked at the key),
and so do free previews (:func:`preview_start`): the first seconds, unencrypted, only where the
editor turned the preview on.
"""

from __future__ import annotations

import logging
import posixpath
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from core.errors import ApiError
from core.money import money
from media_pipeline import selectors, tokens
from media_pipeline.keys import key_open
from media_pipeline.models import VideoAsset
from media_pipeline.tokens import PlaybackToken

logger = logging.getLogger(__name__)

MASTER_PLAYLIST = "master.m3u8"  # in every run's directory (media_pipeline.processing)
RUNG_PLAYLIST = "index.m3u8"
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


# ---- Asking the shop and the catalogue ---------------------------------------------------------


def may_watch(viewer, video_key: uuid.UUID) -> bool:
    """The shop's one access decision, found by its setting (the pipeline never imports the shop)."""
    return import_string(settings.SHOP_ACCESS_FUNCTION)(viewer, video_key)


def offers_for(video_key: uuid.UUID, locale: str) -> list[dict]:
    """What would unlock the video (itself, its courses and bundles, the subscription), from the
    shop by the setting ``MEDIA_OFFERS_FUNCTION``, as API items."""
    offers = import_string(settings.MEDIA_OFFERS_FUNCTION)(video_key, locale=locale)
    return [
        {
            "id": str(offer["key"]) if offer["key"] else None,
            "kind": offer["kind"],
            "title": offer["title"],
            "slug": offer["slug"],
            "price": money(offer["price"]),
            "url_path": offer["url_path"],
            "locale": offer["locale"],
        }
        for offer in offers
    ]


def _viewer(user):
    return user if getattr(user, "is_authenticated", False) else None


# ---- URLs ---------------------------------------------------------------------------------------


def absolute_url(url: str) -> str:
    """``url`` as players anywhere can fetch it: paths are put under ``BACKEND_URL``."""
    if urlsplit(url).scheme:
        return url
    return settings.BACKEND_URL + ("" if url.startswith("/") else "/") + url


def storage_url(name: str) -> str:
    return absolute_url(default_storage.url(name))


def hls_url(name: str, token_value: str, video_key: uuid.UUID, **kwargs) -> str:
    return absolute_url(reverse(name, kwargs={"video_id": video_key, "token": token_value, **kwargs}))


def preview_playlist_url(video_key: uuid.UUID) -> str:
    """Where the free preview of a video plays (a stable URL: the catalogue may cache it)."""
    return absolute_url(reverse("media-preview-playlist", kwargs={"video_id": video_key}))


# ---- The watermark ----------------------------------------------------------------------------


def viewer_code(user_id: int) -> str:
    """A short code naming a viewer on screen: staff can tell whose recording leaked (compute it
    for the suspects), others learn neither the account's id nor how many accounts exist."""
    return salted_hmac("media_pipeline.watermark", str(user_id)).hexdigest()[:6].upper()


def masked_email(email: str) -> str:
    """``kundin@example.com`` -> ``ku••••@example.com``: recognisable to its owner, and no more."""
    local, at, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(len(local) - 2, 2)}{at}{domain}"


def watermark_text(user) -> str:
    return f"{masked_email(user.email)} · {viewer_code(user.pk)} · {timezone.now().date().isoformat()}"


# ---- Playback ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Playback:
    hls_url: str
    expires_at: datetime
    poster: str | None
    storyboard_vtt: str | None
    captions: list[dict]
    watermark_text: str | None
    resume_at_seconds: float
    duration_seconds: float


def _asset_url(asset: VideoAsset, name: str) -> str | None:
    return storage_url(asset.hls_prefix + name) if name else None


def _captions(video: selectors.PlayableVideo) -> list[dict]:
    languages = dict(settings.LANGUAGES)
    return [
        {
            "language": caption.language,
            "label": caption.label or languages.get(caption.language, caption.language),
            "url": storage_url(caption.file),
        }
        for caption in video.captions
    ]


def _duration(asset: VideoAsset) -> float:
    return float(asset.duration or asset.duration_seconds)


def _refusal(viewer, video_key: uuid.UUID, locale: str) -> ApiError:
    extra = {"offers": offers_for(video_key, locale)}
    if viewer is None:
        return ApiError("not_authenticated", "Log in to watch this video.", status=401, extra=extra)
    return ApiError(
        "purchase_required",
        "Buy this video, or a course or bundle holding it, to watch it.",
        status=403,
        extra=extra,
    )


def _not_ready() -> ApiError:
    return ApiError(
        "video_not_ready", "This video is still being prepared; try again in a few minutes.", status=409
    )


def playback_start(*, user, video_key: uuid.UUID, locale: str) -> Playback:
    """A signed HLS URL and what the player shows with it, for ``user`` (or an anonymous viewer)
    on the live video ``video_key``. 404 ``video_not_found``; 401 (anonymous) or 403
    ``purchase_required`` with the ``offers`` that would unlock it; 409 ``video_not_ready``.

    Four queries for a signed-in viewer with the shop's one-query check: the session and the user
    (authentication), the video with its asset, captions and saved position, and access.
    """
    viewer = _viewer(user)
    video = selectors.playable_video(video_key, viewer_id=viewer.pk if viewer else None)
    if video is None:
        raise ApiError("video_not_found", "There is no such video.", status=404)
    if not may_watch(viewer, video_key):
        raise _refusal(viewer, video_key, locale)
    asset = video.asset
    if asset is None or not asset.is_ready:
        raise _not_ready()
    token_value, token = tokens.token_issue(
        viewer_id=viewer.pk if viewer else None,
        video_key=video_key,
        asset_id=asset.pk,
        generation=asset.generation,
        hls_prefix=asset.hls_prefix,
    )
    duration = _duration(asset)
    position = video.position_seconds
    return Playback(
        hls_url=hls_url("media-hls-master", token_value, video_key),
        expires_at=token.expires_at,
        poster=_asset_url(asset, asset.poster),
        storyboard_vtt=_asset_url(asset, asset.storyboard_vtt),
        captions=_captions(video),
        watermark_text=watermark_text(viewer) if viewer else None,
        resume_at_seconds=selectors.resume_position(position, duration) if position else 0.0,
        duration_seconds=duration,
    )


@dataclass(frozen=True)
class Preview:
    hls_url: str
    poster: str | None
    preview_seconds: int
    captions: list[dict]


def _previewable(video_key: uuid.UUID) -> tuple[selectors.PlayableVideo, VideoAsset]:
    video = selectors.playable_video(video_key)
    if video is None:
        raise ApiError("video_not_found", "There is no such video.", status=404)
    if not video.free_preview:
        raise ApiError("preview_not_available", "This video has no free preview.", status=404)
    asset = video.asset
    if asset is None or not asset.is_ready or not asset.preview_playlist:
        raise _not_ready()
    return video, asset


def preview_start(*, video_key: uuid.UUID) -> Preview:
    """The free preview of ``video_key``, for anyone. 404 ``video_not_found`` or
    ``preview_not_available`` (the editor did not turn it on); 409 ``video_not_ready``."""
    video, asset = _previewable(video_key)
    return Preview(
        hls_url=preview_playlist_url(video_key),
        poster=_asset_url(asset, asset.poster),
        preview_seconds=asset.preview_seconds,
        captions=_captions(video),
    )


# ---- Playlists --------------------------------------------------------------------------------


def _stored_text(name: str) -> str:
    """A playlist of a published run. A run's directory is never written twice, so what was read
    once is kept in the cache (a storage round trip saved on every playlist request)."""
    cache_key = f"media:playlist:{name}"
    text = cache.get(cache_key)
    if text is None:
        try:
            with default_storage.open(name, "rb") as handle:
                text = handle.read().decode("utf-8")
        except (FileNotFoundError, OSError, UnicodeDecodeError):
            # Never there, or its run was replaced by a newer one (old runs are deleted).
            raise _playlist_not_found() from None
        cache.set(cache_key, text, timeout=settings.MEDIA_PLAYBACK_TTL_SECONDS)
    return text


def _playlist_not_found() -> ApiError:
    return ApiError(
        "playlist_not_found",
        "No such playlist: the video may have changed since playback started; start playback again.",
        status=404,
    )


def _outdated() -> ApiError:
    return ApiError(
        "playback_outdated",
        "This video has changed since playback started; start playback again.",
        status=410,
    )


def _stored_uri(directory: str, root: str, uri: str) -> str:
    """The storage URL of ``uri`` as written in a playlist stored in ``directory``, never outside
    ``root`` (the run's directory)."""
    if urlsplit(uri).scheme:
        return uri
    name = posixpath.normpath(directory + uri)
    if not name.startswith(root):
        raise _playlist_not_found()
    return storage_url(name)


def _rewrite_media(text: str, *, directory: str, root: str, key_url: str | None) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#EXT-X-KEY:") and key_url:
            line = _URI_ATTRIBUTE.sub(f'URI="{key_url}"', line)
        elif line.startswith("#"):
            line = _URI_ATTRIBUTE.sub(lambda match: f'URI="{_stored_uri(directory, root, match[1])}"', line)
        elif line.strip():
            line = _stored_uri(directory, root, line.strip())
        lines.append(line)
    return "\n".join(lines) + "\n"


def master_playlist(*, token: PlaybackToken, token_value: str) -> str:
    """The run's master playlist with each rung's URI made absolute under the same token."""
    here = hls_url("media-hls-master", token_value, token.video_key)
    lines = []
    for line in _stored_text(token.hls_prefix + MASTER_PLAYLIST).splitlines():
        if line.startswith("#"):
            line = _URI_ATTRIBUTE.sub(lambda match: f'URI="{urljoin(here, match[1])}"', line)
        elif line.strip():
            line = urljoin(here, line.strip())
        lines.append(line)
    return "\n".join(lines) + "\n"


def media_playlist(*, token: PlaybackToken, token_value: str, rung: str) -> str:
    """One rung's playlist: the key URI signed with the token, segments at the storage."""
    directory = f"{token.hls_prefix}{rung}/"
    return _rewrite_media(
        _stored_text(directory + RUNG_PLAYLIST),
        directory=directory,
        root=token.hls_prefix,
        key_url=hls_url("media-hls-key", token_value, token.video_key),
    )


def preview_playlist(*, video_key: uuid.UUID) -> str:
    """The free preview's playlist, its (unencrypted) segments at the storage."""
    _video, asset = _previewable(video_key)
    name = asset.hls_prefix + asset.preview_playlist
    return _rewrite_media(
        _stored_text(name), directory=posixpath.dirname(name) + "/", root=asset.hls_prefix, key_url=None
    )


# ---- The token's viewer, and the key ----------------------------------------------------------


def token_check(*, token: PlaybackToken, video_key: uuid.UUID, user) -> None:
    """Refuse a token used under another video's URL, or by someone signed in as another person.

    A player that sends no cookies is let through: the signed token is what names the viewer.
    """
    if token.video_key != video_key:
        raise ApiError("token_invalid", "This playback link is not valid.", status=403)
    viewer = _viewer(user)
    if viewer is not None and token.viewer_id is not None and viewer.pk != token.viewer_id:
        raise ApiError("token_not_yours", "This playback link was issued to someone else.", status=403)


def _token_viewer(token: PlaybackToken, user):
    if token.viewer_id is None:
        return None
    viewer = _viewer(user)
    if viewer is not None and viewer.pk == token.viewer_id:
        return viewer
    viewer = get_user_model().objects.filter(pk=token.viewer_id, is_active=True).first()
    if viewer is None:
        raise ApiError("token_invalid", "This playback link is not valid.", status=403)
    return viewer


def key_release(*, token: PlaybackToken, user) -> bytes:
    """The content key of the token's run, if its viewer may still watch the video.

    410 ``playback_outdated`` when the run is no longer the published one (or the page is gone);
    403 ``purchase_required`` when access ended (a refund, a dispute) since playback started.
    Queries: the asset, the viewer (unless the request is signed in as them), and access.
    """
    sealed = selectors.asset_key_sealed(
        video_key=token.video_key, asset_id=token.asset_id, generation=token.generation
    )
    if not sealed:
        raise _outdated()
    if not may_watch(_token_viewer(token, user), token.video_key):
        raise ApiError("purchase_required", "You may no longer watch this video.", status=403)
    try:
        return key_open(sealed)
    except ValueError:
        # Sealed under a secret no longer configured (MEDIA_KEY_SECRET changed without keeping
        # the old one in MEDIA_KEY_SECRET_FALLBACKS): staff must act, the viewer can only wait.
        logger.exception("The content key of asset %s cannot be opened", token.asset_id)
        raise ApiError("key_unavailable", "This video cannot be played right now.", status=503) from None
