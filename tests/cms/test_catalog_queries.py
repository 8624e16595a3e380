"""The list endpoint costs the same number of queries however large the catalogue is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import VideoPage

# count, the page of rows, their thumbnails, their translations; in English also, once per
# catalogue version, which German videos have no English translation yet.
LIST_QUERIES = {"de": 4, "en": 5}


def list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/catalog/videos/", {"page_size": 50, **params})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("locale", ["de", "en"])
def test_list_query_count_does_not_grow_from_5_to_200_videos(client, catalog, add_german_video, locale):
    library = catalog["library"]
    VideoPage.objects.filter(
        locale__language_code="de", slug__in=[f"video-{n}" for n in range(6, 13)]
    ).delete()
    VideoPage.objects.filter(
        locale__language_code="en", slug__in=[f"video-{n}" for n in range(6, 13)]
    ).delete()
    assert VideoPage.objects.filter(locale__language_code="de").count() == 5
    small = list_queries(client, locale=locale)
    thumbnail = VideoPage.objects.filter(thumbnail__isnull=False).first().thumbnail
    for number in range(195):
        add_german_video(library, f"extra-{number}", thumbnail=thumbnail)
    assert VideoPage.objects.filter(locale__language_code="de").count() == 200
    assert small == list_queries(client, locale=locale) == LIST_QUERIES[locale]


def test_the_same_question_again_is_answered_from_the_stored_answer(client, catalog, publish):
    assert list_queries(client, locale="en") == LIST_QUERIES["en"]
    assert list_queries(client, locale="en") == 0
    page = VideoPage.objects.get(slug="video-1", locale__language_code="en")
    page.title = "Sawing a ring shank, revised"
    with publish():
        page.save_revision().publish()
    assert list_queries(client, locale="en") == LIST_QUERIES["en"]


def test_filtering_and_search_add_a_fixed_number_of_queries(client, catalog):
    assert (
        list_queries(client, locale="de", category="fassen", level="intermediate") == LIST_QUERIES["de"] + 1
    )
    assert list_queries(client, locale="de", q="Granulation") == LIST_QUERIES["de"] + 1
