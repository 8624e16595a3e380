"""Public catalogue answers are cacheable and revalidate cheaply until an editor publishes."""

import pytest

from cms.catalog_cache import catalog_cache_invalidate, catalog_version
from cms.models import VideoPage

LIST = "/api/v1/catalog/videos/?locale=en"


def test_revalidation_with_the_etag_is_a_304_without_touching_the_database(
    client, catalog, django_assert_num_queries
):
    first = client.get(LIST)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in first["Vary"]
    with django_assert_num_queries(0):
        again = client.get(LIST, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_publishing_a_change_makes_the_next_answer_differ(client, catalog, publish):
    before = client.get(LIST)
    page = VideoPage.objects.get(slug="video-1", locale__language_code="en")
    page.title = "Sawing a ring shank, revised"
    with publish():
        page.save_revision().publish()
    after = client.get(LIST, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json()["results"][0]["title"] == "Sawing a ring shank, revised"


def test_unpublishing_removes_the_item_at_once(client, catalog):
    before = client.get(LIST)
    VideoPage.objects.get(slug="video-1", locale__language_code="en").unpublish()
    after = client.get(LIST, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    # The German source is still live, so the item falls back to German.
    assert after.json()["results"][0]["locale"] == "de"


def test_each_language_and_query_has_its_own_etag(client, catalog):
    etags = {client.get(path)["ETag"] for path in (LIST, LIST.replace("en", "de"), LIST + "&level=beginner")}
    assert len(etags) == 3


@pytest.mark.parametrize("path", ["/api/v1/catalog/videos/?level=expert", "/api/v1/catalog/videos/nope/"])
def test_errors_are_not_marked_cacheable(client, catalog, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "public" not in response.get("Cache-Control", "")


def test_a_change_replaces_the_version_again_when_it_commits(db, django_capture_on_commit_callbacks):
    """What a request computed from the old rows while the change was still uncommitted must not
    be served under the version that stands for the new rows."""
    with django_capture_on_commit_callbacks(execute=True):
        catalog_cache_invalidate()
        while_uncommitted = catalog_version()

    assert catalog_version() != while_uncommitted
