"""Who may watch what: bought on its own, in a course, in a bundle (or a bundle's course), in
either language, granted by staff; nothing while suspended or after a revocation; free videos for
everyone. One query per check, however much the shopper owns or the catalogue holds."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string

from accounts.services import user_erase
from cms.models import CoursePage, VideoPage
from shop.access.selectors import access_for, already_owned, may_watch, owned_item_keys
from shop.access.services import (
    grant_by_staff,
    grant_revoke_by_staff,
    grants_revoke_for_lines,
    grants_suspend_for_order,
)
from shop.models import Grant
from tests.shop.factories import draft_catalog_page, publish

pytestmark = pytest.mark.django_db


def page_product(page):
    from shop.catalogue.selectors import product_for_page

    return product_for_page(page)


def watchable(user, catalog) -> list[str]:
    """Which of the three videos ``user`` may watch, by slug."""
    return [video.slug for video in catalog.videos if may_watch(user, video)]


def test_a_video_bought_on_its_own_is_watchable_and_nothing_else(shop_catalog, customer, buy):
    buy(customer, shop_catalog.videos[1])
    assert watchable(customer, shop_catalog) == ["fassen"]


def test_a_course_gives_its_lessons(shop_catalog, customer, buy):
    buy(customer, shop_catalog.course)
    assert watchable(customer, shop_catalog) == ["loeten", "fassen"]


def test_a_bundle_gives_its_videos_and_the_lessons_of_its_courses(shop_catalog, customer, buy):
    buy(customer, shop_catalog.bundle)
    assert watchable(customer, shop_catalog) == ["loeten", "fassen", "polieren"]


def test_buying_the_german_page_gives_the_english_one(shop_catalog, customer, buy):
    english_video = shop_catalog.english_video
    assert english_video.locale.language_code == "en"
    assert not may_watch(customer, english_video)

    buy(customer, shop_catalog.videos[0])

    assert may_watch(customer, english_video)
    assert may_watch(customer, english_video.translation_key)
    assert may_watch(customer, str(english_video.translation_key))


def test_a_course_bought_in_german_gives_its_lessons_in_english(shop_catalog, customer, buy):
    buy(customer, shop_catalog.course)
    assert may_watch(customer, shop_catalog.english_video)


def test_a_staff_grant_counts_like_a_purchase(shop_catalog, customer, make_user):
    staff = make_user("team@example.com")
    grant_by_staff(
        user=customer, item_key=shop_catalog.course.translation_key, granted_by=staff, reason="Prize"
    )
    assert watchable(customer, shop_catalog) == ["loeten", "fassen"]


def test_a_disputed_payment_suspends_access_and_a_refund_ends_it(shop_catalog, customer, buy):
    disputed = buy(customer, shop_catalog.course)
    grants_suspend_for_order(order=disputed)
    assert watchable(customer, shop_catalog) == []

    refunded = buy(customer, shop_catalog.videos[2])
    grants_revoke_for_lines(line_ids=refunded.lines.values_list("pk", flat=True), reason="refund")
    assert watchable(customer, shop_catalog) == []


def test_a_revoked_staff_grant_gives_nothing(shop_catalog, customer, make_user):
    staff = make_user("team@example.com")
    grant = grant_by_staff(
        user=customer, item_key=shop_catalog.videos[0].translation_key, granted_by=staff, reason="Test"
    )
    grant_revoke_by_staff(grant=grant, revoked_by=staff, reason="Mistake")
    assert watchable(customer, shop_catalog) == []


def test_a_refund_of_the_bundle_keeps_a_video_also_bought_on_its_own(shop_catalog, customer, buy):
    bundle_order = buy(customer, shop_catalog.bundle)
    buy(customer, shop_catalog.videos[0])

    grants_revoke_for_lines(line_ids=bundle_order.lines.values_list("pk", flat=True), reason="refund")

    assert watchable(customer, shop_catalog) == ["loeten"]


def test_anonymous_visitors_and_other_shoppers_get_nothing_paid(shop_catalog, customer, make_user, buy):
    buy(customer, shop_catalog.bundle)
    assert watchable(None, shop_catalog) == []
    assert watchable(AnonymousUser(), shop_catalog) == []
    assert watchable(make_user("other@example.com"), shop_catalog) == []


def test_a_free_live_video_is_for_everyone_and_a_free_draft_for_nobody(shop_catalog, customer):
    free = publish(draft_catalog_page(shop_catalog.library, title="Werkzeugkunde", price=None))
    draft = draft_catalog_page(shop_catalog.library, title="Bald verfügbar", price=None)

    assert may_watch(None, free) and may_watch(customer, free)
    assert not may_watch(None, draft) and not may_watch(customer, draft)


def test_an_unknown_video_is_not_watchable(shop_catalog, customer, make_user):
    staff = make_user("team@example.com")
    stray = uuid.uuid4()
    grant_by_staff(user=customer, item_key=stray, granted_by=staff, reason="Test")
    assert not may_watch(customer, stray)
    assert not may_watch(customer, shop_catalog.course)  # a course is not a video


def test_access_for_names_every_reason_and_what_would_unlock_it(shop_catalog, customer, make_user, buy):
    video, course, bundle = shop_catalog.videos[0], shop_catalog.course, shop_catalog.bundle
    locked = access_for(customer, video)
    assert not locked.allowed
    assert locked.unlocked_by == {
        video.translation_key: "video",
        course.translation_key: "course",
        bundle.translation_key: "bundle",
    }

    buy(customer, course)
    grant_by_staff(
        user=customer,
        item_key=video.translation_key,
        granted_by=make_user("team@example.com"),
        reason="Support",
    )
    access = access_for(customer, video)
    assert access.allowed
    assert {(source.kind, source.item_key, source.item_kind) for source in access.sources} == {
        ("purchase", course.translation_key, "course"),
        ("staff", video.translation_key, "video"),
    }


def test_the_media_pipeline_finds_the_function_by_its_setting(shop_catalog, customer, buy):
    check = import_string(settings.SHOP_ACCESS_FUNCTION)
    buy(customer, shop_catalog.videos[0])
    assert check(customer, shop_catalog.videos[0].translation_key) is True


def test_what_a_shopper_owns_for_the_basket(shop_catalog, customer, buy):
    buy(customer, shop_catalog.course)
    products = {page.slug: page_product(page) for page in [*shop_catalog.videos, shop_catalog.bundle]}
    assert owned_item_keys(customer) == {
        shop_catalog.course.translation_key,
        shop_catalog.videos[0].translation_key,
        shop_catalog.videos[1].translation_key,
    }
    assert already_owned(customer, page_product(shop_catalog.course))
    assert {slug for slug, product in products.items() if already_owned(customer, product)} == {
        "loeten",
        "fassen",
    }
    assert not already_owned(None, products["loeten"])


# ---- Query counts -----------------------------------------------------------------------------


def add_courses(catalog, count: int) -> None:
    """More courses, each holding the first two videos."""
    for number in range(count):
        catalog.library.add_child(
            instance=CoursePage(
                title=f"Kurs {number}",
                slug=f"kurs-{number}",
                price=Decimal("15.00"),
                sections=[("section", {"title": "Teil", "lessons": catalog.videos[:2]})],
            )
        )


def test_a_check_costs_one_query_however_much_is_owned_or_sold(
    shop_catalog, customer, make_user, buy, django_assert_num_queries
):
    staff = make_user("team@example.com")
    video = shop_catalog.videos[1]
    buy(customer, shop_catalog.bundle)
    may_watch(customer, video)  # what holds what, worked out once per catalogue version
    with django_assert_num_queries(1):
        assert may_watch(customer, video)

    for _ in range(50):
        grant_by_staff(user=customer, item_key=uuid.uuid4(), granted_by=staff, reason="Bulk")
    add_courses(shop_catalog, 20)  # a publish: the catalogue's version changes
    assert Grant.objects.filter(user=customer).count() == 51
    with django_assert_num_queries(2):  # the first check after a publish reads the catalogue once
        assert may_watch(customer, video)
    with django_assert_num_queries(1):
        assert may_watch(customer, video)
    other = make_user("other@example.com")
    with django_assert_num_queries(2):  # no grant, so the subscription is asked too (the video is included)
        assert not may_watch(other, video)


def test_free_videos_and_anonymous_visitors_cost_no_query(shop_catalog, django_assert_num_queries):
    free = publish(draft_catalog_page(shop_catalog.library, title="Werkzeugkunde", price=None))
    paid = VideoPage.objects.get(pk=shop_catalog.videos[0].pk)
    may_watch(None, free)
    with django_assert_num_queries(0):
        assert may_watch(None, free)
        assert not may_watch(None, paid)


# ---- The person's data ------------------------------------------------------------------------


def test_the_personal_data_export_lists_what_the_person_may_watch_and_erasure_ends_it(
    api_client, shop_catalog, customer, make_user, buy
):
    order = buy(customer, shop_catalog.course)
    grant_by_staff(
        user=customer,
        item_key=shop_catalog.videos[2].translation_key,
        granted_by=make_user("team@example.com"),
        reason="Competition prize",
    )
    api_client.force_login(customer)

    grants = api_client.get("/api/v1/me/export/").json()["grants"]

    assert [
        (grant["item_title"], grant["source"], grant["status"], grant["order_number"], grant["reason"])
        for grant in grants
    ] == [
        ("Grundkurs Goldschmieden", "purchase", "active", order.number, ""),
        ("Polieren auf Hochglanz", "staff", "active", None, "Competition prize"),
    ]
    user_erase(user=customer)
    assert not Grant.objects.filter(user=customer).exists()
    assert not may_watch(customer, shop_catalog.videos[0])
