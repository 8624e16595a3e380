import pytest
from django.db import transaction
from django.test import TestCase
from wagtail.models import Locale

from cms.models import LibraryIndexPage, VideoPage
from demo.catalogue import seed_courses_and_bundle, seed_site_tree, seed_videos


def _quiet(*args) -> None:
    pass


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Run a block the way a request would: wagtail-localize publishes translations on commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(scope="module")
def _catalog_for_module(django_db_setup, django_db_blocker):
    """Seeding costs thousands of queries (wagtail-localize is thorough), so a test module seeds
    once inside a transaction of its own; each test runs in a savepoint within it and is rolled
    back to the seeded state, and the module's transaction is rolled back at its end."""
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                _home, library = seed_site_tree()
                videos = seed_videos(library, 12, _quiet)
                courses_and_bundle = seed_courses_and_bundle(library, videos)
            yield {
                "library": library,
                "videos": videos,
                "courses": courses_and_bundle[:2],
                "bundle": courses_and_bundle[2],
            }
        finally:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)


@pytest.fixture
def catalog(_catalog_for_module, db) -> dict:
    """The demo catalogue: 12 videos, 2 courses and a bundle, in German and English."""
    return _catalog_for_module


@pytest.fixture
def add_german_video(publish):
    """A German video without an English translation."""

    def add(library: LibraryIndexPage, slug: str, **fields) -> VideoPage:
        with publish():
            return library.add_child(
                instance=VideoPage(
                    title=fields.pop("title", slug),
                    slug=slug,
                    locale=Locale.objects.get(language_code="de"),
                    **fields,
                )
            )

    return add
