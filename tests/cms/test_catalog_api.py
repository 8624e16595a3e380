"""The public catalogue: what the Astro site builds its pages from."""

from decimal import Decimal

import pytest
from wagtail.models import Locale

from cms.models import VideoPage

VIDEOS = "/api/v1/catalog/videos/"


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_same_video_has_its_own_title_text_and_url_in_each_language(client, catalog):
    german = get(client, f"{VIDEOS}video-5/", locale="de")
    english = get(client, f"{VIDEOS}video-5/", locale="en")
    assert german["id"] == english["id"]
    assert (german["title"], english["title"]) == (
        "Granulation nach etruskischer Art",
        "Etruscan granulation",
    )
    assert "etruskischer" in german["description"] and "Etruscan" in english["description"]
    assert [c["title"] for c in english["chapters"]][:2] == ["Introduction", "Tools and materials"]
    assert german["url_path"] == "/de/bibliothek/video-5/"
    assert english["url_path"] == "/en/library/video-5/"
    assert (
        german["translations"]
        == english["translations"]
        == {"de": german["url_path"], "en": english["url_path"]}
    )
    assert english["category"]["name"] == "Soldering and joining"
    assert german["price"] == english["price"] == {"amount": "29.00", "currency": "EUR"}


def test_untranslated_video_is_served_in_german_and_says_so(client, catalog, add_german_video):
    add_german_video(catalog["library"], "neu-im-atelier", title="Neu im Atelier", price=Decimal("5.00"))
    listed = {item["slug"]: item for item in get(client, VIDEOS, locale="en", page_size=100)["results"]}
    assert len(listed) == 13
    fallback = listed["neu-im-atelier"]
    assert (fallback["locale"], fallback["title"]) == ("de", "Neu im Atelier")
    assert fallback["translations"] == {"de": "/de/bibliothek/neu-im-atelier/"}
    assert listed["video-1"]["locale"] == "en"
    detail = get(client, f"{VIDEOS}neu-im-atelier/", locale="en")
    assert detail["locale"] == "de"


def test_accept_language_chooses_the_language_and_german_is_the_default(client, catalog):
    english = client.get(f"{VIDEOS}video-1/", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert english["locale"] == "en"
    assert get(client, f"{VIDEOS}video-1/")["locale"] == "de"
    french_speaker = client.get(f"{VIDEOS}video-1/", headers={"Accept-Language": "fr"}).json()
    assert french_speaker["locale"] == "de"


def test_english_slug_finds_the_item_too(client, catalog, publish):
    english = catalog["videos"][0].get_translation(Locale.objects.get(language_code="en"))
    with publish():
        english.slug = "ring-shank"
        english.save_revision().publish()
    assert get(client, f"{VIDEOS}ring-shank/", locale="en")["title"] == "Sawing and filing a ring shank"
    assert get(client, f"{VIDEOS}ring-shank/", locale="de")["title"] == "Ringschiene sägen und feilen"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "fassen"}, {"video-3", "video-4", "video-12"}),
        ({"level": "advanced"}, {"video-5", "video-8", "video-10"}),
        ({"access": "free"}, {"video-1", "video-11"}),
        ({"access": "subscription", "level": "intermediate"}, {"video-3", "video-4", "video-7", "video-9"}),
        ({"course": "grundkurs-goldschmieden"}, {"video-11", "video-1", "video-12", "video-2", "video-6"}),
        ({"q": "Granulation"}, {"video-5"}),
    ],
)
def test_filters_return_what_they_claim(client, catalog, params, expected):
    body = get(client, VIDEOS, locale="en", page_size=100, **params)
    assert {item["slug"] for item in body["results"]} == expected
    assert body["count"] == len(expected)


def test_a_german_word_finds_its_german_page_and_an_english_word_its_english_page(client, catalog):
    german = get(client, VIDEOS, locale="de", q="Mikrobrenner")["results"]
    assert [(item["slug"], item["locale"]) for item in german] == [("video-2", "de")]
    english = get(client, VIDEOS, locale="en", q="torch")["results"]
    assert [(item["slug"], item["locale"]) for item in english] == [("video-2", "en")]
    assert get(client, VIDEOS, locale="de", q="Zahnbürste")["count"] == 0


def test_pagination_and_ordering(client, catalog):
    first = get(client, VIDEOS, locale="de", page_size=5, ordering="-price")
    assert first["count"] == 12 and len(first["results"]) == 5 and first["previous"] is None
    assert "page=2" in first["next"]
    prices = [Decimal(item["price"]["amount"]) for item in first["results"]]
    assert prices == sorted(prices, reverse=True) and prices[0] == Decimal("29.00")
    last = get(client, VIDEOS, locale="de", page_size=5, ordering="-price", page=3)
    assert len(last["results"]) == 2 and last["next"] is None
    assert [item["is_free"] for item in last["results"]] == [True, True]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "expert"}, "level"),
        ({"access": "gratis"}, "access"),
        ({"category": "nope"}, "category"),
        ({"course": "nope"}, "course"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"ordering": "random"}, "ordering"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(client, catalog, params, field):
    response = client.get(VIDEOS, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


@pytest.mark.parametrize(
    "path",
    [f"{VIDEOS}nope/", "/api/v1/catalog/courses/nope/", "/api/v1/catalog/bundles/nope/", f"{VIDEOS}?page=9"],
)
def test_unknown_item_or_page_is_a_404(client, catalog, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_course_has_sections_of_ordered_lessons_in_the_language_asked(client, catalog):
    course = get(client, "/api/v1/catalog/courses/grundkurs-goldschmieden/", locale="en")
    assert course["title"] == "Goldsmithing foundations"
    assert [section["title"] for section in course["sections"]] == ["First steps", "Joining and finishing"]
    assert [lesson["slug"] for lesson in course["sections"][0]["lessons"]] == [
        "video-11",
        "video-1",
        "video-12",
    ]
    assert course["sections"][0]["lessons"][0]["title"] == "Design: from sketchbook to jewel"
    assert course["lesson_count"] == 5
    assert course["duration_seconds"] == (20 + 14 + 16 + 22 + 18) * 60
    listed = get(client, "/api/v1/catalog/courses/", locale="en")["results"]
    assert {item["slug"]: item["lesson_count"] for item in listed} == {
        "grundkurs-goldschmieden": 5,
        "meisterklasse-fassen": 4,
    }


def test_bundle_lists_its_items_and_the_saving(client, catalog):
    bundle = get(client, "/api/v1/catalog/bundles/werkstatt-paket/", locale="en")
    assert [(entry["type"], entry["item"]["slug"]) for entry in bundle["items"]] == [
        ("course", "grundkurs-goldschmieden"),
        ("video", "video-5"),
        ("video", "video-8"),
    ]
    assert bundle["price"] == {"amount": "89.00", "currency": "EUR"}
    assert bundle["value"] == {"amount": "107.00", "currency": "EUR"}  # 49 + 29 + 29
    assert bundle["saving"] == {"amount": "18.00", "currency": "EUR"}


def test_video_detail_names_the_courses_and_bundles_that_hold_it(client, catalog):
    video = get(client, f"{VIDEOS}video-5/", locale="en")
    assert [course["slug"] for course in video["courses"]] == ["meisterklasse-fassen"]
    assert [bundle["slug"] for bundle in video["bundles"]] == ["werkstatt-paket"]
    assert video["related"] and all(item["category"]["slug"] == "loeten" for item in video["related"])
    assert "video-5" not in {item["slug"] for item in video["related"]}


def test_categories_in_each_language(client, catalog):
    english = get(client, "/api/v1/catalog/categories/", locale="en")["results"]
    assert [item["name"] for item in english] == [
        "Stone setting",
        "Soldering and joining",
        "Design and finishes",
    ]
    assert english[0]["translations"]["de"] == "/de/bibliothek/?category=fassen"


def test_thumbnails_come_as_webp_renditions(client, catalog):
    thumbnail = get(client, f"{VIDEOS}video-1/")["thumbnail"]
    assert set(thumbnail) == {"small", "medium", "large"}
    assert thumbnail["small"]["url"].endswith(".webp")
    assert (thumbnail["small"]["width"], thumbnail["small"]["height"]) == (320, 180)


def test_drafts_never_reach_the_public_catalogue(client, catalog):
    page = VideoPage.objects.get(slug="video-2", locale__language_code="de")
    page.title = "Entwurf: neuer Titel"
    page.save_revision()  # saved, not published
    assert get(client, f"{VIDEOS}video-2/")["title"] == "Löten mit dem Mikrobrenner"


@pytest.mark.parametrize(
    ("path", "serializer"),
    [
        (f"{VIDEOS}video-5/", "VideoDetailSerializer"),
        ("/api/v1/catalog/courses/grundkurs-goldschmieden/", "CourseDetailSerializer"),
        ("/api/v1/catalog/bundles/werkstatt-paket/", "BundleDetailSerializer"),
    ],
)
def test_answers_have_exactly_the_documented_fields(client, catalog, path, serializer):
    from cms.api import serializers

    documented = set(getattr(serializers, serializer)().fields)
    assert set(get(client, path)) == documented
