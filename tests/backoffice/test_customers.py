"""The customer view: staff find a customer by e-mail or name, see their orders, subscription,
consultations, library and progress on one page, and give or take back access with a reason that
is kept. The page costs the same number of queries for a customer with one order as with twenty."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from media_pipeline.models import WatchProgress
from shop.access.selectors import may_watch
from shop.models import Checkout, Grant
from shop.subscriptions.services import subscription_sync
from tests.booking.conftest import booking_make
from tests.shop.subscription_fakes import subscription_object

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
INDEX = reverse("backoffice_customers:index")


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


def detail_url(user) -> str:
    return reverse("backoffice_customers:detail", args=[user.pk])


def grant_url(user) -> str:
    return reverse("backoffice_customers:grant", args=[user.pk])


def revoke_url(user, grant) -> str:
    return reverse("backoffice_customers:revoke", args=[user.pk, grant.pk])


def admin_language(language: str):
    admin = get_user_model().objects.get(email="admin@phialo.localhost")
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = language
    profile.save()
    return admin


@pytest.fixture
def admin(staff_client):
    return admin_language("en")


# ---- Finding a customer ----------------------------------------------------------------------


def test_staff_find_a_customer_by_part_of_the_email_in_any_case(
    staff_client, admin, make_user, shop_catalog, buy
):
    anna = make_user("anna.schmidt@example.com", first_name="Anna", last_name="Schmidt")
    make_user("bert@example.com", first_name="Bert", last_name="Meier")
    buy(anna, shop_catalog.videos[0])
    buy(anna, shop_catalog.course)

    response = staff_client.get(INDEX, {"q": "SCHMIDT@EXAMPLE"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["customer"].email for row in rows] == ["anna.schmidt@example.com"]
    assert rows[0]["paid_orders"] == 2
    assert detail_url(anna) in response.content.decode()


def test_a_customer_is_found_by_name_too(staff_client, admin, make_user):
    make_user("a@example.com", first_name="Anna", last_name="Schmidt")
    make_user("b@example.com", first_name="Bert", last_name="Meier")

    response = staff_client.get(INDEX, {"q": "anna schm"})

    assert [row["customer"].email for row in response.context["rows"]] == ["a@example.com"]


def test_an_exact_email_goes_straight_to_the_customer(staff_client, admin, make_user):
    anna = make_user("anna@example.com")
    make_user("hanna@example.com")

    response = staff_client.get(INDEX, {"q": " Anna@Example.COM "})

    assert response.status_code == 302
    assert response["Location"] == detail_url(anna)


def test_the_list_pages_through_many_customers(staff_client, admin, make_user):
    for number in range(30):
        make_user(f"kunde{number:02d}@example.com")

    first = staff_client.get(INDEX, {"q": "kunde"})
    second = staff_client.get(INDEX, {"q": "kunde", "p": "2"})
    beyond = staff_client.get(INDEX, {"q": "kunde", "p": "nonsense"})

    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 5
    assert beyond.status_code == 200
    assert {row["customer"].email for row in first.context["rows"] + second.context["rows"]} == {
        f"kunde{number:02d}@example.com" for number in range(30)
    }


def test_a_search_that_finds_nobody_says_so(staff_client, admin, make_user):
    response = staff_client.get(INDEX, {"q": "niemand"})
    assert response.status_code == 200
    assert "No customer’s e-mail or name contains “niemand”." in response.content.decode()


# ---- One page about one customer ------------------------------------------------------------


def subscribe(stripe_sub, plans, user, django_capture_on_commit_callbacks, **fields):
    customer_data = stripe_sub.customer(user)
    sub = stripe_sub.hold(
        subscription_object(
            customer=customer_data["id"],
            price=plans.price("month"),
            status="active",
            start=NOW - timedelta(days=5),
            end=NOW + timedelta(days=26),
            **fields,
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        subscription_sync(subscription_id=sub["id"], customer_id=customer_data["id"])
    return sub


def test_the_page_shows_orders_subscription_consultations_library_and_progress(
    staff_client,
    admin,
    customer,
    shop_catalog,
    buy,
    stripe_sub,
    plans,
    consultant,
    consultation_type,
    django_capture_on_commit_callbacks,
):
    course_order = buy(customer, shop_catalog.course)
    video_order = buy(customer, shop_catalog.videos[2])
    Checkout.objects.filter(order=video_order).update(amount_refunded=Decimal("5.00"))
    sub = subscribe(
        stripe_sub, plans, customer, django_capture_on_commit_callbacks, cancel_at_period_end=True
    )
    # 24 March 09:00 UTC is 10:00 in Berlin (winter time until the 29th).
    booking = booking_make(
        consultant, consultation_type, datetime(2026, 3, 24, 9, 0, tzinfo=UTC), user=customer
    )
    WatchProgress.objects.create(
        user=customer,
        video_key=shop_catalog.videos[0].translation_key,
        position_seconds=300,
        watched_seconds=450,
        duration_seconds=600,
    )

    response = staff_client.get(detail_url(customer))

    assert response.status_code == 200
    html = response.content.decode()
    # Orders, newest first, each linked to Oscar's dashboard; the refund is shown.
    assert [(o["number"], o["total_incl_tax"]) for o in response.context["orders"]] == [
        (video_order.number, Decimal("19.99")),
        (course_order.number, Decimal("29.00")),
    ]
    assert f'href="/dashboard/orders/{course_order.number}/"' in html
    assert "€29.00" in html and "€19.99" in html and "€5.00" in html  # the page is in English (html lang)
    # The subscription: status, plan, the end of the period, set to cancel then, and Stripe's page.
    subscription = response.context["subscription"]
    assert (str(subscription["status_label"]), subscription["plan"]) == ("Active", "Monthly plan")
    assert subscription["state"].period_end == NOW + timedelta(days=26)
    assert subscription["state"].ends_at_period_end is True
    assert f"https://dashboard.stripe.com/test/subscriptions/{sub['id']}" in html
    # The consultation in Berlin time, linked to the booking's page in the admin.
    assert "03/24/2026 10 a.m." in html
    assert f'href="/admin/consultations/bookings/inspect/{booking.pk}/"' in html
    assert "Schmuckberatung" in html
    # The library: the course's lessons through the purchase, every video through the subscription;
    # titles in the admin's language (English) where translated, else German.
    library = {video["title"]: video["sources"] for video in response.context["library"]["videos"]}
    assert library == {
        "Fassen von Steinen": ["Purchase via Course “Goldsmithing basics”", "Subscription"],
        "Polieren auf Hochglanz": ["Purchase", "Subscription"],
        "Soldering with a micro torch": ["Purchase via Course “Goldsmithing basics”", "Subscription"],
    }
    assert response.context["library"]["courses"] == ["Goldsmithing basics"]
    # Progress: 450 of 600 seconds watched, stopped at 5:00.
    [progress] = response.context["progress"]
    assert (progress["title"], progress["share"], progress["position"]) == (
        "Soldering with a micro torch",
        75.0,
        "5:00",
    )
    assert "75 %" in html
    # The list of customers says they subscribe.
    [row] = staff_client.get(INDEX, {"q": "kundin"}).context["rows"]
    assert (row["paid_orders"], row["subscription"]) == (2, "Active")
    # The grants the purchases made, in the history.
    assert sorted(row["title"] for row in response.context["grants"]) == [
        "Goldsmithing basics",
        "Polieren auf Hochglanz",
    ]


def test_an_unknown_customer_is_not_found(staff_client, admin):
    assert staff_client.get(reverse("backoffice_customers:detail", args=[987654])).status_code == 404


# ---- Giving and taking back access -----------------------------------------------------------


def test_a_staff_grant_gives_access_and_is_recorded_a_revoke_removes_it(
    staff_client, admin, customer, shop_catalog
):
    video = shop_catalog.videos[1]
    assert may_watch(customer, video) is False

    response = staff_client.post(
        grant_url(customer), {"item": str(video.translation_key), "reason": "  Kulanz nach Ticket 4711  "}
    )

    assert response.status_code == 302 and response["Location"] == detail_url(customer)
    assert may_watch(customer, video) is True
    grant = Grant.objects.get(user=customer)
    assert (grant.source, grant.status, grant.granted_by, grant.reason) == (
        Grant.Source.STAFF,
        Grant.Status.ACTIVE,
        admin,
        "Kulanz nach Ticket 4711",
    )
    page = staff_client.get(detail_url(customer)).content.decode()
    assert "may now watch “Fassen von Steinen”" in page
    assert "Kulanz nach Ticket 4711" in page and "by admin@phialo.localhost" in page

    response = staff_client.post(revoke_url(customer, grant), {"reason": "Ticket geschlossen"})

    assert response.status_code == 302
    assert may_watch(customer, video) is False
    grant.refresh_from_db()
    assert (grant.status, grant.revoked_by, grant.revoked_reason) == (
        Grant.Status.REVOKED,
        admin,
        "Ticket geschlossen",
    )
    logged = list(
        ModelLogEntry.objects.filter(object_id=str(grant.pk))
        .order_by("timestamp", "pk")
        .values_list("action", "user_id", "data__reason")
    )
    assert logged == [
        ("backoffice.grant_access", admin.pk, "Kulanz nach Ticket 4711"),
        ("backoffice.revoke_access", admin.pk, "Ticket geschlossen"),
    ]


def test_granting_a_course_opens_its_lessons(staff_client, admin, customer, shop_catalog):
    staff_client.post(
        grant_url(customer), {"item": str(shop_catalog.course.translation_key), "reason": "Gewinnspiel"}
    )

    assert [video.slug for video in shop_catalog.videos if may_watch(customer, video)] == ["loeten", "fassen"]


def test_a_grant_without_a_reason_changes_nothing(staff_client, admin, customer, shop_catalog):
    video = shop_catalog.videos[1]

    response = staff_client.post(grant_url(customer), {"item": str(video.translation_key), "reason": "   "})

    assert response.status_code == 400
    assert "Give a reason: it is recorded with the grant." in response.content.decode()
    assert not Grant.objects.exists()
    assert may_watch(customer, video) is False


@pytest.mark.parametrize("item", [str(uuid.UUID(int=42)), "not-a-key", ""])
def test_an_unknown_item_is_refused(staff_client, admin, customer, shop_catalog, item):
    response = staff_client.post(grant_url(customer), {"item": item, "reason": "Test"})

    assert response.status_code == 400
    assert not Grant.objects.exists()


def test_a_second_staff_grant_for_the_same_item_is_refused(staff_client, admin, customer, shop_catalog):
    key = str(shop_catalog.videos[0].translation_key)
    staff_client.post(grant_url(customer), {"item": key, "reason": "Erste"})

    response = staff_client.post(grant_url(customer), {"item": key, "reason": "Zweite"})

    assert response.status_code == 400
    assert (
        "kundin@example.com already has access to this item through a staff grant."
        in response.content.decode()
    )
    assert list(Grant.objects.values_list("reason", flat=True)) == ["Erste"]


def test_a_revoke_without_a_reason_changes_nothing(staff_client, admin, customer, shop_catalog, buy):
    buy(customer, shop_catalog.videos[1])
    grant = Grant.objects.get(user=customer)

    response = staff_client.post(revoke_url(customer, grant), {"reason": ""})

    assert response.status_code == 400
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE
    assert may_watch(customer, shop_catalog.videos[1]) is True


def test_a_grant_revoked_twice_says_so_the_second_time(staff_client, admin, customer, shop_catalog, buy):
    buy(customer, shop_catalog.videos[1])
    grant = Grant.objects.get(user=customer)
    staff_client.post(revoke_url(customer, grant), {"reason": "Rückbuchung"})

    response = staff_client.post(revoke_url(customer, grant), {"reason": "Noch einmal"})

    assert response.status_code == 400
    assert "This grant was already revoked." in response.content.decode()
    grant.refresh_from_db()
    assert (grant.status, grant.revoked_reason) == (Grant.Status.REVOKED, "Rückbuchung")


def test_a_grant_of_another_customer_cannot_be_revoked_through_this_one(
    staff_client, admin, make_user, shop_catalog, buy
):
    owner, other = make_user("owner@example.com"), make_user("other@example.com")
    buy(owner, shop_catalog.videos[1])
    grant = Grant.objects.get(user=owner)

    response = staff_client.post(revoke_url(other, grant), {"reason": "Versehen"})

    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE


def test_grant_and_revoke_take_posts_only(staff_client, admin, customer, shop_catalog):
    assert staff_client.get(grant_url(customer)).status_code == 405
    assert not Grant.objects.exists()


# ---- Who may ----------------------------------------------------------------------------------


@pytest.fixture
def editor(client, make_user, second_factor_passed):
    """Someone in the Wagtail admin who may not serve customers."""
    user = make_user("redaktion@phialo.example")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(user)
    second_factor_passed(client, user)
    return user


def test_staff_without_the_permission_are_refused(client, editor, customer, shop_catalog):
    """Wagtail answers a refusal in its admin by sending the user to the dashboard with a message
    (``wagtail.admin.auth.require_admin_access``), as for the reports."""
    key = str(shop_catalog.videos[0].translation_key)

    for response in (
        client.get(INDEX),
        client.get(detail_url(customer)),
        client.post(grant_url(customer), {"item": key, "reason": "Versuch"}),
    ):
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert not Grant.objects.exists()

    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="backoffice", codename="serve_customers")
    )
    assert client.get(detail_url(customer)).status_code == 200


def test_the_page_speaks_german_in_a_german_admin(staff_client, customer, shop_catalog, buy):
    admin_language("de")
    buy(customer, shop_catalog.course)

    html = staff_client.get(detail_url(customer)).content.decode()

    assert '<html lang="de"' in html
    for label in ("Bestellungen", "Abonnement", "Bibliothek", "Fortschritt", "Zugang geben", "Begründung"):
        assert label in html, label
    assert "29,00 €" in html


# ---- Cost -------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_one_order_as_for_twenty(
    staff_client,
    admin,
    make_user,
    shop_catalog,
    buy,
    place_order,
    consultant,
    consultation_type,
    django_assert_num_queries,
):
    def customer_with(email: str, count: int, hour: int):
        user = make_user(email)
        buy(user, shop_catalog.videos[0])
        for _ in range(count - 1):
            place_order(user, shop_catalog.product(shop_catalog.videos[1]))
        Grant.objects.bulk_create(
            Grant(user=user, item_key=uuid.uuid4(), source=Grant.Source.STAFF, reason="Test")
            for _ in range(count)
        )
        WatchProgress.objects.bulk_create(
            WatchProgress(user=user, video_key=uuid.uuid4(), watched_seconds=10, duration_seconds=100)
            for _ in range(count)
        )
        for day in range(count):
            start = datetime(2026, 4, 1, hour, 0, tzinfo=UTC) + timedelta(days=day)
            booking_make(consultant, consultation_type, start, user=user)
        return user

    one, twenty = customer_with("eins@example.com", 1, 8), customer_with("zwanzig@example.com", 20, 10)
    staff_client.get(detail_url(one))  # the catalogue's holdings and the plans are cached from here on

    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(detail_url(one)).status_code == 200
    with django_assert_num_queries(len(queries)):
        response = staff_client.get(detail_url(twenty))
    assert len(response.context["orders"]) == 20 and len(response.context["progress"]) == 20
    assert len(response.context["bookings"]) == 20 and len(response.context["grants"]) == 21
