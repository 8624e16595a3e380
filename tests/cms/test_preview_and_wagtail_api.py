"""Editors preview drafts on the Astro site; Wagtail's own API lists each locale's pages."""

import pytest
from django.test import RequestFactory
from wagtail.search.backends import get_search_backend

from cms.models import VideoPage


def test_the_astro_site_fetches_a_draft_with_its_preview_token(client, catalog):
    page = VideoPage.objects.get(slug="video-2", locale__language_code="de")
    page.title = "Löten mit dem Mikrobrenner (neu)"
    preview = page.create_page_preview()
    editor_request = RequestFactory().get("/admin/")
    assert page.get_preview_url(editor_request, preview.token).startswith(
        "http://localhost:4321/preview/?content_type=cms.videopage&token="
    )

    response = client.get("/api/v2/page_preview/", {"content_type": "cms.videopage", "token": preview.token})
    assert response.status_code == 200
    assert response.json()["title"] == "Löten mit dem Mikrobrenner (neu)"
    # The public catalogue still shows what is published.
    assert client.get("/api/v1/catalog/videos/video-2/").json()["title"] == "Löten mit dem Mikrobrenner"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"content_type": "cms.videopage", "token": "forged"}, 404),
        ({"content_type": "cms.videopage"}, 400),
        ({"content_type": "nonsense", "token": "x"}, 400),
        ({"content_type": "accounts.user", "token": "x"}, 400),
    ],
)
def test_a_bad_preview_request_is_refused_in_the_error_shape(client, catalog, params, status):
    response = client.get("/api/v2/page_preview/", params)
    assert response.status_code == status
    assert "code" in response.json()["error"]


def test_wagtail_api_lists_each_locale_and_links_to_the_astro_site(client, catalog):
    for locale, title in [("de", "Ringschiene sägen und feilen"), ("en", "Sawing and filing a ring shank")]:
        body = client.get("/api/v2/pages/", {"type": "cms.VideoPage", "locale": locale, "order": "id"}).json()
        assert body["meta"]["total_count"] == 12
        assert body["items"][0]["title"] == title
        assert body["items"][0]["meta"]["html_url"].startswith(f"http://localhost:4321/{locale}/")


def test_german_search_stems_words_on_postgresql(client, catalog):
    if get_search_backend().__class__.__module__.rsplit(".", 1)[-1] != "postgres":
        pytest.skip("stemming is PostgreSQL full-text search; SQLite matches whole words")
    found = client.get("/api/v1/catalog/videos/", {"locale": "de", "q": "Kette"}).json()["results"]
    assert [item["slug"] for item in found] == ["video-9"]  # "Ketten selbst herstellen"
