"""Query counts of playback (PostgreSQL): the issue's budget is five for the authorisation and
for the key. Counted per request, authentication included (a session cookie costs two: the
session and the user). Each is counted once what holds what in the catalogue is cached, as it is
after the first request of a catalogue version."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.media_pipeline.playback_fixtures import *  # noqa: F403
from tests.media_pipeline.playback_fixtures import follow, local, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(customer, buy, playable):
    buy(customer, playable.video)
    client = Client()
    client.force_login(customer)
    start(client, playable.key)  # what holds what: cached for the catalogue version
    return client


def test_authorising_playback_costs_four_queries(buyer, playable, django_assert_num_queries):
    # Session, user, the video with its asset, captions and saved position, access.
    with django_assert_num_queries(4):
        assert start(buyer, playable.key).status_code == 200


def test_a_free_video_for_an_anonymous_viewer_costs_one_query(playable, django_assert_num_queries):
    start(Client(), playable.free_key)
    with django_assert_num_queries(1):
        assert start(Client(), playable.free_key).status_code == 200


def test_a_refusal_with_its_offers_costs_six_queries(playable, make_user, django_assert_num_queries):
    client = Client()
    client.force_login(make_user("neu@example.com"))
    start(client, playable.key)
    # Session, user, video; access asks every rule before it says no (grants, subscription);
    # then the offers (the video, its course and bundle) at once.
    with django_assert_num_queries(6):
        assert start(client, playable.key).status_code == 403


def test_a_logged_out_refusal_costs_two_queries(playable, django_assert_num_queries):
    start(Client(), playable.key)
    # The video, the offers: access needs no query for an anonymous visitor.
    with django_assert_num_queries(2):
        assert start(Client(), playable.key).status_code == 401


def test_the_key_costs_three_queries_from_a_player_without_cookies(
    buyer, playable, django_assert_num_queries
):
    followed = follow(buyer, start(buyer, playable.key).json()["hls_url"])
    player = Client()
    # The run's sealed key (with the page still live), the token's viewer, access.
    with django_assert_num_queries(3):
        assert player.get(local(followed.key_url)).status_code == 200


def test_the_key_costs_four_queries_with_the_viewers_session(buyer, playable, django_assert_num_queries):
    followed = follow(buyer, start(buyer, playable.key).json()["hls_url"])
    # Session, user (who is then the token's viewer), the sealed key, access.
    with django_assert_num_queries(4):
        assert buyer.get(local(followed.key_url)).status_code == 200


def test_playlists_cost_no_query_beyond_the_session(buyer, playable, django_assert_num_queries):
    hls_url = start(buyer, playable.key).json()["hls_url"]
    followed = follow(buyer, hls_url)  # read from storage once, then cached
    player = Client()
    with django_assert_num_queries(0):
        assert player.get(local(hls_url)).status_code == 200
        assert player.get(local(followed.rung_url)).status_code == 200
    with django_assert_num_queries(2):
        assert buyer.get(local(followed.rung_url)).status_code == 200


def test_a_subscriber_is_authorised_within_the_budget_of_five(playable, make_user, django_assert_num_queries):
    from shop.subscriptions.local import seed_plans
    from shop.subscriptions.local_page import seed_subscriber

    subscriber = make_user("abo@example.com")
    seed_plans()
    assert seed_subscriber(subscriber)  # an active monthly subscription in the mirror
    client = Client()
    client.force_login(subscriber)
    start(client, playable.key)
    # Session, user, the video; access: no grant, then the subscription.
    with django_assert_num_queries(5):
        assert start(client, playable.key).status_code == 200
