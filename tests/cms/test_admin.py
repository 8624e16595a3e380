"""Editors can open every page type and the categories in the Wagtail admin."""

import pytest

from cms.models import BundlePage, Category, CoursePage, HomePage, LibraryIndexPage, VideoPage
from demo.accounts import seed_admin


@pytest.fixture
def editor_client(client, catalog, second_factor_passed):
    admin = seed_admin(password="secret-for-tests")
    assert client.login(email="admin@phialo.localhost", password="secret-for-tests")
    second_factor_passed(client, admin)
    return client


@pytest.mark.parametrize("model", [HomePage, LibraryIndexPage, VideoPage, CoursePage, BundlePage])
def test_each_page_type_opens_in_the_editor_in_both_languages(editor_client, model):
    for page in model.objects.all()[:2]:
        response = editor_client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, (model, page.locale)


def test_a_new_video_can_be_started_under_the_library(editor_client, catalog):
    library = catalog["library"]
    response = editor_client.get(f"/admin/pages/add/cms/videopage/{library.pk}/")
    assert response.status_code == 200


def test_categories_are_edited_and_translated_as_snippets(editor_client, catalog):
    category = Category.objects.get(slug="fassen", locale__language_code="de")
    assert editor_client.get(f"/admin/snippets/cms/category/edit/{category.pk}/").status_code == 200
    assert editor_client.get("/admin/snippets/cms/category/").status_code == 200


def test_the_oscar_dashboard_lists_the_products_the_pages_made(editor_client, catalog):
    response = editor_client.get("/dashboard/catalogue/")
    assert response.status_code == 200
    assert "Grundkurs Goldschmieden" in response.content.decode()
