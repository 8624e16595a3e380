"""Signed playback tokens: which viewer may fetch which asset's playlists and key, and until when.

A token travels in the path of the HLS URLs (``/api/v1/videos/{id}/hls/{token}/...``). HLS players
fetch playlists and keys on their own, and a player on the Astro site's origin may or may not send
this site's cookies with them, so the URL itself has to say who it was issued to. It names:

- the viewer (a user id, or none for an anonymous viewer of a free video),
- the video (the page's translation key, so access can be asked again at the key),
- the asset, its generation and its storage prefix (the playlists are read from storage without a
  query, and a token of a replaced run is recognised as such),
- its expiry.

It is signed, not encrypted (HMAC-SHA256 over ``SECRET_KEY`` with a salt of its own, through
``django.core.signing``): it holds ids and a storage path, nothing secret. Changing any character
breaks the signature; :func:`token_read` then raises :class:`TokenInvalid`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

SALT = "media_pipeline.playback-token"


@dataclass(frozen=True)
class PlaybackToken:
    viewer_id: int | None  # None: an anonymous viewer (free videos only)
    video_key: uuid.UUID
    asset_id: int
    generation: int
    hls_prefix: str
    expires_at: datetime


class TokenError(Exception):
    code = "token_invalid"


class TokenInvalid(TokenError):
    """Not signed by us, altered, or not a token at all."""


class TokenExpired(TokenError):
    code = "token_expired"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def token_issue(
    *, viewer_id: int | None, video_key: uuid.UUID, asset_id: int, generation: int, hls_prefix: str
) -> tuple[str, PlaybackToken]:
    """A signed token living ``MEDIA_PLAYBACK_TTL_SECONDS`` from now, and what it says."""
    expires_at = (timezone.now() + timedelta(seconds=settings.MEDIA_PLAYBACK_TTL_SECONDS)).replace(
        microsecond=0
    )
    token = PlaybackToken(viewer_id, video_key, asset_id, generation, hls_prefix, expires_at)
    return token_sign(token), token


def token_sign(token: PlaybackToken) -> str:
    # A list, not a dict: the token sits in every playlist line, and keys would double its length.
    payload = [
        token.viewer_id or 0,
        token.video_key.hex,
        token.asset_id,
        token.generation,
        token.hls_prefix,
        int(token.expires_at.timestamp()),
    ]
    return _signer().sign_object(payload)


def token_read(value: str) -> PlaybackToken:
    """What a token says, once its signature and expiry are checked.

    Raises :class:`TokenInvalid` for anything not signed by us (or malformed), and
    :class:`TokenExpired` for a genuine token past its expiry.
    """
    try:
        payload = _signer().unsign_object(value)
        viewer_id, video_key, asset_id, generation, hls_prefix, expires = payload
        token = PlaybackToken(
            viewer_id=int(viewer_id) or None,
            video_key=uuid.UUID(hex=video_key),
            asset_id=int(asset_id),
            generation=int(generation),
            hls_prefix=str(hls_prefix),
            expires_at=datetime.fromtimestamp(int(expires), tz=UTC),
        )
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise TokenInvalid("This playback link is not valid.") from error
    if token.expires_at <= timezone.now():
        raise TokenExpired("This playback link has expired; start playback again.")
    return token
