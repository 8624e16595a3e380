"""``GET /api/v1/me/library/``: exactly the videos the shopper may watch, with what gives each,
in the requested language, for a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import VideoPage
from shop.access.services import grant_by_staff, grants_suspend_for_order
from tests.shop.factories import draft_catalog_page, publish

pytestmark = pytest.mark.django_db

LIBRARY = "/api/v1/me/library/"


@pytest.fixture
def staff(make_user):
    return make_user("team@example.com")


def library(client, user, **params) -> dict:
    client.force_login(user)
    response = client.get(LIBRARY, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_library_lists_what_was_bought_with_what_gives_it(api_client, shop_catalog, customer, staff, buy):
    videos, course = shop_catalog.videos, shop_catalog.course
    buy(customer, course)
    grant_by_staff(user=customer, item_key=videos[2].translation_key, granted_by=staff, reason="Prize")
    publish(draft_catalog_page(shop_catalog.library, title="Werkzeugkunde", price=None))  # free

    data = library(api_client, customer)

    assert data["count"] == 3
    assert [(item["title"], item["sources"]) for item in data["results"]] == [
        (
            "Fassen von Steinen",
            [
                {
                    "type": "course",
                    "id": str(course.translation_key),
                    "item_type": "course",
                    "title": course.title,
                }
            ],
        ),
        (
            "Löten mit dem Mikrobrenner",
            [
                {
                    "type": "course",
                    "id": str(course.translation_key),
                    "item_type": "course",
                    "title": course.title,
                }
            ],
        ),
        (
            "Polieren auf Hochglanz",
            [
                {
                    "type": "staff",
                    "id": str(videos[2].translation_key),
                    "item_type": "video",
                    "title": "Polieren auf Hochglanz",
                }
            ],
        ),
    ]
    first = data["results"][1]
    assert first["id"] == str(videos[0].translation_key)
    assert first["slug"] == "loeten"
    assert first["duration_seconds"] == 600
    assert first["progress"] is None
    assert first["locale"] == "de"
    assert set(first["translations"]) == {"de", "en"}
    assert [(item["type"], item["title"]) for item in data["courses"]] == [("course", course.title)]
    assert data["bundles"] == []


def test_a_bundle_brings_its_course_and_videos_and_a_separate_purchase_adds_a_source(
    api_client, shop_catalog, customer, buy
):
    bundle = shop_catalog.bundle
    buy(customer, bundle)
    buy(customer, shop_catalog.videos[2])

    data = library(api_client, customer)

    sources = {item["slug"]: [source["type"] for source in item["sources"]] for item in data["results"]}
    assert sources == {"loeten": ["bundle"], "fassen": ["bundle"], "polieren": ["bundle", "purchase"]}
    assert [item["id"] for item in data["courses"]] == [str(shop_catalog.course.translation_key)]
    assert [item["title"] for item in data["bundles"]] == ["Meisterpaket"]


def test_the_library_speaks_english_where_a_translation_exists(api_client, shop_catalog, customer, buy):
    buy(customer, shop_catalog.course)

    for data in (
        library(api_client, customer, locale="en"),
        api_client.get(LIBRARY, HTTP_ACCEPT_LANGUAGE="en").json(),
    ):
        served = {item["slug"]: (item["title"], item["locale"]) for item in data["results"]}
        assert served == {
            shop_catalog.english_video.slug: ("Soldering with a micro torch", "en"),
            "fassen": ("Fassen von Steinen", "de"),  # not translated yet: German, and it says so
        }
        assert {source["title"] for item in data["results"] for source in item["sources"]} == {
            "Goldsmithing basics"
        }
        assert [(item["title"], item["locale"]) for item in data["courses"]] == [
            ("Goldsmithing basics", "en")
        ]


def test_suspended_grants_and_other_shoppers_purchases_are_not_listed(
    api_client, shop_catalog, customer, make_user, buy
):
    grants_suspend_for_order(order=buy(customer, shop_catalog.videos[0]))
    buy(make_user("other@example.com"), shop_catalog.bundle)

    data = library(api_client, customer)

    assert (data["count"], data["results"], data["courses"], data["bundles"]) == (0, [], [], [])


def test_the_library_is_personal(api_client, shop_catalog, customer):
    anonymous = api_client.get(LIBRARY)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"

    api_client.force_login(customer)
    response = api_client.get(LIBRARY)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    french = api_client.get(LIBRARY, {"locale": "fr"})
    assert french.status_code == 400 and "locale" in french.json()["error"]["fields"]
    assert api_client.get(LIBRARY, {"page_size": 500}).status_code == 400


def test_the_library_pages(api_client, shop_catalog, customer, buy):
    buy(customer, shop_catalog.bundle)
    data = library(api_client, customer, page_size=2)
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    rest = library(api_client, customer, page_size=2, page=2)
    assert [item["slug"] for item in rest["results"]] == ["polieren"]


def library_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIBRARY, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_library_costs_the_same_queries_at_any_size(
    api_client, shop_catalog, customer, staff, buy, locale
):
    buy(customer, shop_catalog.bundle)
    api_client.force_login(customer)
    library_queries(api_client, locale=locale)  # what holds what: once per catalogue version
    small = library_queries(api_client, locale=locale)

    for number in range(12):
        extra = publish(
            draft_catalog_page(shop_catalog.library, title=f"Extra {number}", price="5.00"),
            duration_seconds=300,
        )
        if number % 2:
            buy(customer, extra)
        else:
            grant_by_staff(user=customer, item_key=extra.translation_key, granted_by=staff, reason="Gift")
    buy(customer, shop_catalog.course)
    assert VideoPage.objects.filter(locale__language_code="de").count() == 15
    library_queries(api_client, locale=locale)

    large = library_queries(api_client, locale=locale, page_size=50)
    assert large == small
    # session, user, grants, subscription, count, videos, courses, bundles, translations (no
    # thumbnails), the videos' progress, the courses' lesson keys, the lessons' progress
    assert small == 12
    assert library(api_client, customer, page_size=50)["count"] == 15


def test_prices_do_not_matter_to_what_was_bought(api_client, shop_catalog, customer, buy):
    """A video made free after it was bought stays in the library (it is still theirs)."""
    buy(customer, shop_catalog.videos[0])
    publish(VideoPage.objects.get(pk=shop_catalog.videos[0].pk), price=None)
    assert [item["slug"] for item in library(api_client, customer)["results"]] == ["loeten"]


def test_the_library_shows_how_far_each_video_and_course_was_watched(api_client, shop_catalog, customer, buy):
    from media_pipeline.progress import progress_record

    videos, course = shop_catalog.videos, shop_catalog.course
    buy(customer, course)
    # Lesson 1 watched to the end (completed), lesson 2 a third of the way.
    progress_record(
        user=customer,
        video_key=videos[0].translation_key,
        duration=600,
        position_seconds=600,
        watched_ranges=[[0, 600]],
    )
    progress_record(
        user=customer,
        video_key=videos[1].translation_key,
        duration=600,
        position_seconds=200,
        watched_ranges=[[0, 200]],
    )

    answer = library(api_client, customer)

    by_title = {video["title"]: video["progress"] for video in answer["results"]}
    assert by_title["Löten mit dem Mikrobrenner"] == {
        "percent": 100,
        "completed": True,
        "resume_at_seconds": 0.0,
        "watched_seconds": 600.0,
    }
    assert by_title["Fassen von Steinen"] == {
        "percent": 33,
        "completed": False,
        "resume_at_seconds": 200.0,
        "watched_seconds": 200.0,
    }
    assert answer["courses"][0]["progress"] == {
        "completed_lessons": 1,
        "total_lessons": 2,
        "percent": 50,
        "completed": False,
        "next_lesson": str(videos[1].translation_key),
    }
