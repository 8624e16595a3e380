"""Playback tokens: altered, expired, or someone else's tokens get neither playlists nor the key."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from media_pipeline import tokens
from tests.media_pipeline.playback_fixtures import *  # noqa: F403
from tests.media_pipeline.playback_fixtures import (
    follow,
    local,
    start,
)


def _token(**overrides) -> tokens.PlaybackToken:
    fields = {
        "viewer_id": 7,
        "video_key": uuid.uuid4(),
        "asset_id": 3,
        "generation": 2,
        "hls_prefix": "hls/abc/g2/",
        "expires_at": (timezone.now() + timedelta(hours=1)).replace(microsecond=0),
    }
    return tokens.PlaybackToken(**{**fields, **overrides})


def test_a_token_says_what_it_was_issued_for():
    token = _token()
    assert tokens.token_read(tokens.token_sign(token)) == token
    anonymous = _token(viewer_id=None)
    assert tokens.token_read(tokens.token_sign(anonymous)).viewer_id is None


@pytest.mark.parametrize("position", [0, 10, -5, -1])
def test_any_changed_character_breaks_the_token(position):
    value = tokens.token_sign(_token())
    changed = value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]
    with pytest.raises(tokens.TokenInvalid):
        tokens.token_read(changed)


def test_a_token_signed_for_something_else_is_refused():
    from django.core import signing

    other = signing.Signer(salt="another.purpose").sign_object([7, uuid.uuid4().hex, 3, 2, "hls/x/", 2**40])
    with pytest.raises(tokens.TokenInvalid):
        tokens.token_read(other)
    with pytest.raises(tokens.TokenInvalid):
        tokens.token_read("not a token")


def test_a_token_expires():
    with freeze_time("2026-11-21 10:00:00"):
        value, token = tokens.token_issue(
            viewer_id=1, video_key=uuid.uuid4(), asset_id=1, generation=1, hls_prefix="hls/x/g1/"
        )
        assert token.expires_at.isoformat() == "2026-11-21T12:00:00+00:00"  # two hours by default
    with freeze_time("2026-11-21 11:59:59"):
        tokens.token_read(value)
    with freeze_time("2026-11-21 12:00:00"), pytest.raises(tokens.TokenExpired):
        tokens.token_read(value)


# ---- Over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
def buyer(customer, buy, playable):
    buy(customer, playable.video)
    client = Client()
    client.force_login(customer)
    return client


def _hls(client, playable):
    return follow(client, start(client, playable.key).json()["hls_url"])


def _refused(response, code: str) -> None:
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == code
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_an_altered_token_gets_no_playlist_and_no_key(buyer, playable):
    followed = _hls(buyer, playable)
    key_path = local(followed.key_url)
    token = key_path.split("/hls/")[1].split("/")[0]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    _refused(buyer.get(key_path.replace(token, altered)), "token_invalid")
    _refused(buyer.get(local(followed.rung_url).replace(token, altered)), "token_invalid")


@pytest.mark.django_db
def test_a_token_under_another_videos_url_is_refused(buyer, playable):
    followed = _hls(buyer, playable)
    elsewhere = local(followed.key_url).replace(str(playable.key), str(playable.free_key))
    _refused(buyer.get(elsewhere), "token_invalid")


@pytest.mark.django_db
def test_an_expired_token_gets_no_key(buyer, playable):
    with freeze_time(timezone.now()):
        followed = _hls(buyer, playable)
    with freeze_time(timezone.now() + timedelta(hours=2, seconds=1)):
        _refused(buyer.get(local(followed.key_url)), "token_expired")
        _refused(buyer.get(local(followed.rung_url)), "token_expired")


@pytest.mark.django_db
def test_someone_else_signed_in_gets_no_key_with_a_buyers_token(buyer, playable, make_user, buy):
    followed = _hls(buyer, playable)
    other = make_user("andere@example.com")
    buy(other, playable.video)  # even one who may watch it: the token is not theirs
    client = Client()
    client.force_login(other)
    _refused(client.get(local(followed.key_url)), "token_not_yours")
    _refused(client.get(local(followed.rung_url)), "token_not_yours")


@pytest.mark.django_db
def test_a_player_sending_no_cookies_is_served_by_the_token(buyer, playable):
    # hls.js on the Astro site's origin fetches without our cookies: the signed token names the viewer.
    followed = _hls(buyer, playable)
    player = Client()
    assert player.get(local(followed.rung_url)).status_code == 200
    key = player.get(local(followed.key_url))
    assert key.status_code == 200 and len(key.content) == 16
