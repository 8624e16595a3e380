"""The translation status view lists exactly the German pages and snippets whose English is missing
or out of date, links to what fixes each, keeps to what the user may edit, costs the same number
of queries for 3 pages as for 30, and speaks the editor's admin language.

Translations are made the way editors make them: through wagtail-localize (cms.services'
``object_translate``, localize's own "Sync translated pages" view) or by hand in the page editor.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from wagtail.models import GroupPagePermission, Locale
from wagtail.users.models import UserProfile
from wagtail_localize.models import TranslationSource

from cms.models import Category, VideoPage
from cms.services import object_translate
from demo.accounts import ADMIN_EMAIL
from demo.catalogue import seed_site_tree
from shop.models import SubscriptionPlan

URL = "/admin/backoffice/translations/"
STEP = timedelta(minutes=10)


@pytest.fixture
def clock():
    # pytest's own timings keep the real clock.
    with freeze_time("2026-03-02 09:00:00+00:00", ignore=["_pytest"]) as frozen:
        yield frozen


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """wagtail-localize publishes translated pages on commit, as after a request."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def library(db, clock, on_commit):
    """The German home and library, both translated into English (and so never listed)."""
    with on_commit():
        _home, library = seed_site_tree()
    clock.tick(STEP)
    return library


@pytest.fixture
def german():
    return Locale.objects.get(language_code="de")


@pytest.fixture
def english():
    return Locale.objects.get(language_code="en")


@pytest.fixture
def admin_in(staff_client):
    """The staff client, with the admin's Wagtail admin language set to ``language``."""

    def set_language(language: str):
        profile = UserProfile.get_for_user(get_user_model().objects.get(email=ADMIN_EMAIL))
        profile.preferred_language = language
        profile.save()
        return staff_client

    return set_language


@pytest.fixture
def make(clock, on_commit, german, english):
    """Editors' actions, each a few minutes after the last."""

    class Make:
        @staticmethod
        def video(library, title: str) -> VideoPage:
            with on_commit():
                page = library.add_child(
                    instance=VideoPage(title=title, slug=title.lower().replace(" ", "-"), locale=german)
                )
                page.save_revision().publish()
            clock.tick(STEP)
            return page

        @staticmethod
        def translate(obj, english_title: str):
            with on_commit():
                translation = object_translate(
                    obj=obj, locale=english, strings={getattr(obj, "title", str(obj)): english_title}
                )
            clock.tick(STEP)
            return translation

        @staticmethod
        def republish(page, title: str) -> VideoPage:
            page = VideoPage.objects.get(pk=page.pk)
            page.title = title
            with on_commit():
                page.save_revision().publish()
            clock.tick(STEP)
            return page

        @staticmethod
        def by_hand(page, title: str) -> VideoPage:
            """An English page made in Wagtail's editor, not through wagtail-localize."""
            with on_commit():
                translation = page.copy_for_translation(english)
                translation.title = title
                translation.save_revision().publish()
            clock.tick(STEP)
            return translation

        @staticmethod
        def sync(client, obj, publish: bool):
            """wagtail-localize's "Sync translated pages", optionally publishing the English."""
            source = TranslationSource.objects.get(object_id=obj.translation_key, locale=german)
            data = {"publish_translations": "on"} if publish else {}
            with on_commit():
                response = client.post(
                    reverse("wagtail_localize:update_translations", args=[source.id]), data
                )
            assert response.status_code == 302
            clock.tick(STEP)

    return Make


def listed(response) -> set[tuple[str, str, str, str]]:
    return {(entry.kind, entry.title, entry.status, entry.reason) for entry in response.context["entries"]}


def test_the_view_lists_exactly_the_missing_and_stale_translations(library, make, admin_in, clock, english):
    client = admin_in("en")
    make.video(library, "Nur Deutsch")  # missing
    make.translate(make.video(library, "Synchron"), "In sync")  # up to date
    changed = make.video(library, "Geändert")
    make.translate(changed, "Changed")
    make.republish(changed, "Geändert und neu")  # out of date: localize has the old German
    caught_up = make.video(library, "Nachgezogen")
    make.translate(caught_up, "Caught up")
    make.republish(caught_up, "Nachgezogen und neu")
    make.sync(client, caught_up, publish=True)  # synced and published: up to date again
    waiting = make.video(library, "Wartend")
    make.translate(waiting, "Waiting")
    make.republish(waiting, "Wartend und neu")
    make.sync(client, waiting, publish=False)  # synced, English not yet rebuilt: out of date
    hand_made = make.video(library, "Von Hand")
    make.by_hand(hand_made, "By hand")
    make.republish(hand_made, "Von Hand und neu")  # German newer than the hand-made English
    hand_fresh = make.video(library, "Von Hand aktuell")
    make.republish(hand_fresh, "Von Hand aktuell, neu")
    make.by_hand(hand_fresh, "By hand, current")  # English made after the German's last change
    aliased = make.video(library, "Nur Alias")
    aliased.create_alias(parent=library.get_translation(english), update_locale=english)  # shows German

    german = Locale.objects.get(language_code="de")
    Category.objects.create(name="Fassen", slug="fassen", locale=german)  # missing
    make.translate(Category.objects.create(name="Löten", slug="loeten", locale=german), "Soldering")
    design = Category.objects.create(name="Entwurf", slug="entwurf", locale=german)
    make.translate(design, "Design")
    edited = client.post(
        f"/admin/snippets/cms/category/edit/{design.pk}/",
        {"name": "Entwurf und Form", "slug": "entwurf", "description": "", "sort_order": "0"},
    )
    assert edited.status_code == 302  # edited in the admin after translation: out of date
    clock.tick(STEP)
    SubscriptionPlan.objects.create(
        name="Monatsabo", interval="month", stripe_price_id="price_monthly", locale=german
    )  # missing

    response = client.get(URL)

    assert response.status_code == 200
    assert listed(response) == {
        ("cms.videopage", "Nur Deutsch", "missing", ""),
        ("cms.videopage", "Geändert und neu", "stale", "sync"),
        ("cms.videopage", "Wartend und neu", "stale", "rebuild"),
        ("cms.videopage", "Von Hand und neu", "stale", "by_hand"),
        ("cms.videopage", "Nur Alias", "missing", ""),
        ("cms.category", "Fassen", "missing", ""),
        ("cms.category", "Entwurf und Form", "stale", "sync"),
        ("shop.subscriptionplan", "Monatsabo", "missing", ""),
    }
    assert "Missing: 4 · Out of date: 4" in response.content.decode()
    by_title = {entry.title: entry for entry in response.context["entries"]}
    # When the German changed, when the English was last brought up to date (2026-03-02, UTC).
    stale = by_title["Geändert und neu"]
    assert (stale.german_changed.strftime("%H:%M"), stale.english_updated.strftime("%H:%M")) == (
        "10:00",
        "09:50",
    )

    only_missing = client.get(URL, {"status": "missing", "kind": "cms.category"})
    assert listed(only_missing) == {("cms.category", "Fassen", "missing", "")}
    assert "Missing: 1 · Out of date: 1" in only_missing.content.decode()
    only_stale_pages = client.get(URL, {"status": "stale", "kind": "pages"})
    assert {entry.title for entry in only_stale_pages.context["entries"]} == {
        "Geändert und neu",
        "Wartend und neu",
        "Von Hand und neu",
    }


def test_each_link_opens_the_page_that_fixes_the_translation(library, make, admin_in, german):
    client = admin_in("en")
    make.video(library, "Nur Deutsch")
    changed = make.video(library, "Geändert")
    make.translate(changed, "Changed")
    changed = make.republish(changed, "Geändert und neu")
    hand_made = make.video(library, "Von Hand")
    english_by_hand = make.by_hand(hand_made, "By hand")
    make.republish(hand_made, "Von Hand und neu")
    Category.objects.create(name="Fassen", slug="fassen", locale=german)

    entries = {entry.title: entry for entry in client.get(URL).context["entries"]}

    source = TranslationSource.objects.get(object_id=changed.translation_key, locale=german)
    assert entries["Geändert und neu"].update_url.startswith(
        reverse("wagtail_localize:update_translations", args=[source.id])
    )
    assert entries["Von Hand und neu"].update_url == reverse(
        "wagtailadmin_pages:edit", args=[english_by_hand.pk]
    )
    assert entries["Nur Deutsch"].translate_url.startswith("/admin/localize/submit/page/")
    assert entries["Fassen"].translate_url.startswith("/admin/localize/submit/snippet/cms/category/")
    for entry in entries.values():
        for url in (entry.translate_url, entry.update_url, entry.edit_german_url):
            if url:
                assert client.get(url).status_code == 200, (entry.title, url)


def test_editors_see_only_the_pages_they_may_edit(library, make, client, second_factor_passed):
    mine = make.video(library, "Meine Seite")
    make.video(library, "Fremde Seite")
    editors = Group.objects.create(name="Redaktion einer Seite")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=editors, page=mine, permission=Permission.objects.get(codename="change_page")
    )
    editor = get_user_model().objects.create_user(
        email="redaktion@phialo.example", password="secret-for-tests"
    )
    editor.groups.add(editors)
    assert client.login(email="redaktion@phialo.example", password="secret-for-tests")
    second_factor_passed(client, editor)
    Category.objects.create(name="Fassen", slug="fassen", locale=Locale.objects.get(language_code="de"))

    response = client.get(URL)

    assert response.status_code == 200
    # Not the other page, nor the category (no snippet permission), nor a translate link (no
    # permission to submit translations): an edit link is all this editor can use.
    assert [(entry.title, entry.translate_url) for entry in response.context["entries"]] == [
        ("Meine Seite", "")
    ]


def test_the_query_count_does_not_grow_with_the_number_of_pages(library, make, admin_in):
    client = admin_in("en")
    make.video(library, "Fehlt 1")
    make.translate(make.video(library, "Synchron"), "In sync")
    stale = make.video(library, "Veraltet")
    make.translate(stale, "Stale")
    make.republish(stale, "Veraltet und neu")
    client.get(URL)  # content types and permissions cached as in a running server

    with CaptureQueriesContext(connection) as three_pages:
        assert len(client.get(URL).context["entries"]) == 2
    for number in range(2, 29):
        make.video(library, f"Fehlt {number}")
    with CaptureQueriesContext(connection) as thirty_pages:
        assert len(client.get(URL).context["entries"]) == 29

    assert len(thirty_pages) == len(three_pages)
    print(f"translation status: {len(three_pages)} queries for 3 and for 30 pages")


def test_the_view_speaks_german_to_a_german_editor(library, make, admin_in):
    client = admin_in("de")
    make.video(library, "Nur Deutsch")

    page = client.get(URL).content.decode()

    for label in (
        "Übersetzungsstatus",
        "Fehlt",
        "Veraltet",
        "Übersetzen",
        "Deutsch bearbeiten",
        "Deutscher Titel",
    ):
        assert label in page, label
    assert "Missing" not in page


def test_an_unknown_filter_is_refused_with_a_message(db, admin_in):
    client = admin_in("en")
    # Before any English locale exists, Wagtail's German placeholder page is simply missing.
    assert [entry.status for entry in client.get(URL).context["entries"]] == ["missing"]

    response = client.get(URL, {"status": "vielleicht"})

    assert response.status_code == 400
    assert "Unknown status “vielleicht”" in response.content.decode()
    assert client.get(URL, {"kind": "wagtailcore.page"}).status_code == 400
