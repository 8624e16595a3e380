"""The key endpoint asks again: a refund, a replaced run or an unpublished page stop new keys."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Page

from media_pipeline.models import VideoAsset
from shop.access.services import grants_revoke_for_lines
from tests.media_pipeline.playback_fixtures import *  # noqa: F403
from tests.media_pipeline.playback_fixtures import (
    follow,
    local,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(customer, buy, playable):
    order = buy(customer, playable.video)
    client = Client()
    client.force_login(customer)
    followed = follow(client, start(client, playable.key).json()["hls_url"])
    return client, order, followed


def test_the_key_is_sixteen_bytes_never_stored(bought):
    client, _order, followed = bought
    response = client.get(local(followed.key_url))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Cache-Control"] == "private, no-store"
    assert len(response.content) == 16


def test_a_refund_stops_new_keys_at_once(bought):
    client, order, followed = bought
    grants_revoke_for_lines(line_ids=order.lines.values_list("pk", flat=True), reason="refund")
    response = client.get(local(followed.key_url))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "purchase_required"
    assert response["Cache-Control"] == "private, no-store"
    # Also for a player that sends no cookies: access is asked for the token's viewer.
    assert Client().get(local(followed.key_url)).status_code == 403


def test_a_replaced_run_sends_the_player_back_to_start_again(bought, playable):
    client, _order, followed = bought
    VideoAsset.objects.filter(pk=playable.asset.pk).update(generation=playable.asset.generation + 1)
    response = client.get(local(followed.key_url))
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "playback_outdated"


def test_an_unpublished_video_gives_no_more_keys(bought, playable):
    client, _order, followed = bought
    Page.objects.filter(translation_key=playable.key).update(live=False)
    assert client.get(local(followed.key_url)).status_code == 410


def test_a_deactivated_account_gets_no_key(bought, customer):
    _client, _order, followed = bought
    type(customer).objects.filter(pk=customer.pk).update(is_active=False)
    response = Client().get(local(followed.key_url))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_invalid"


def test_a_missing_rung_is_not_found(bought):
    client, _order, followed = bought
    response = client.get(local(followed.rung_url).replace("/index.m3u8", "x/index.m3u8"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "playlist_not_found"
