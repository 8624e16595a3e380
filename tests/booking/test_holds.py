"""POST /api/v1/booking/holds/: a held time and the basket line that pays for it; nobody else can
hold or book an overlapping time, also when twenty try at once (PostgreSQL's exclusion
constraint); bad input holds nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from freezegun import freeze_time
from oscar.apps.basket.models import Basket, Line
from wagtail.models import Locale

from booking.models import Booking
from booking.services import holds
from core.errors import ApiError
from tests.booking.conftest import booking_make

pytestmark = pytest.mark.django_db

NOW = "2026-06-01 08:00:00"  # a Monday, 10:00 in Berlin
MONDAY_NOON = "2026-06-01T12:00:00+02:00"
TUESDAY_10 = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)  # 10:00 in Berlin


def hold(client, type_key, start, **headers):
    body = {"type": str(type_key), "start": start, "time_zone": "Europe/Berlin"}
    return client.post("/api/v1/booking/holds/", body, content_type="application/json", **headers)


def basket_lines(user) -> list[Line]:
    return list(Line.objects.filter(basket__owner=user, basket__status=Basket.OPEN).select_related("product"))


@freeze_time(NOW)
def test_a_hold_takes_the_time_for_ten_minutes_and_puts_its_price_in_the_basket(
    api_client, customer, consultation_type
):
    api_client.force_login(customer)

    response = hold(api_client, consultation_type.translation_key, MONDAY_NOON)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held"
    assert (body["start"], body["end"]) == ("2026-06-01T12:00:00+02:00", "2026-06-01T13:00:00+02:00")
    assert body["hold_expires_at"] == "2026-06-01T10:10:00+02:00"
    # Never had a paid consultation: the first-timer price.
    assert body["first_timer"] is True and body["price"] == {"amount": "59.00", "currency": "EUR"}
    (line,) = basket_lines(customer)
    assert line.pk == body["basket_line_id"]
    assert line.price_incl_tax == Decimal("59.00")
    assert line.attributes.get().value == str(body["id"])
    assert response["Cache-Control"] == "private, no-store"


@freeze_time(NOW)
def test_someone_elses_overlapping_hold_is_refused_and_an_adjacent_one_is_not(
    api_client, make_user, consultation_type
):
    key = consultation_type.translation_key
    api_client.force_login(make_user("erste@example.com"))
    assert hold(api_client, key, MONDAY_NOON).status_code == 201

    api_client.force_login(make_user("zweite@example.com"))
    same = hold(api_client, key, MONDAY_NOON)
    partly = hold(api_client, key, "2026-06-01T11:30:00+02:00")
    adjacent = hold(api_client, key, "2026-06-01T13:00:00+02:00")

    assert (same.status_code, same.json()["error"]["code"]) == (409, "slot_taken")
    assert (partly.status_code, partly.json()["error"]["code"]) == (409, "slot_taken")
    assert adjacent.status_code == 201, adjacent.content
    assert Booking.objects.filter(status="held").count() == 2


@freeze_time(NOW)
def test_buffers_keep_the_time_around_a_hold_free(api_client, make_user, consultant, consultation_type):
    consultant.buffer_after_minutes = 15
    consultant.save()
    key = consultation_type.translation_key
    api_client.force_login(make_user("erste@example.com"))
    assert hold(api_client, key, MONDAY_NOON).status_code == 201

    api_client.force_login(make_user("zweite@example.com"))
    # 13:00 would start inside the first meeting's 15 minutes after; 13:30 is clear of them.
    assert hold(api_client, key, "2026-06-01T13:00:00+02:00").json()["error"]["code"] == "slot_taken"
    assert hold(api_client, key, "2026-06-01T13:30:00+02:00").status_code == 201


def test_a_lapsed_hold_frees_the_time_and_leaves_the_basket(api_client, make_user, consultation_type):
    key = consultation_type.translation_key
    first = make_user("erste@example.com")
    with freeze_time(NOW):
        api_client.force_login(first)
        assert hold(api_client, key, MONDAY_NOON).status_code == 201
    with freeze_time("2026-06-01 08:10:01"):
        api_client.force_login(make_user("zweite@example.com"))
        taken = hold(api_client, key, MONDAY_NOON)

    assert taken.status_code == 201, taken.content
    assert Booking.objects.get(user=first).status == Booking.Status.EXPIRED
    assert basket_lines(first) == []


def test_the_beat_task_lapses_holds_whose_time_is_up(customer, consultation_type, consultant):
    with freeze_time(NOW):
        booking = holds.hold_place(
            user=customer,
            type_key=consultation_type.translation_key,
            start=TUESDAY_10,
            time_zone="Europe/Berlin",
        )
    with freeze_time("2026-06-01 08:09:59"):
        assert holds.holds_lapse() == 0
    with freeze_time("2026-06-01 08:10:00"):
        assert holds.holds_lapse() == 1
        assert holds.holds_lapse() == 0

    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert basket_lines(customer) == []


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"start": "2026-06-01T12:10:00+02:00"}, 400, "not_on_grid"),
        ({"start": "2026-06-01T09:30:00+02:00"}, 422, "in_the_past"),
        ({"start": "2026-06-01T07:00:00+02:00"}, 422, "in_the_past"),
        ({"start": "2026-08-03T10:00:00+02:00"}, 422, "beyond_horizon"),
        ({"start": "2026-06-06T10:00:00+02:00"}, 422, "outside_hours"),  # a Saturday
        ({"start": "2026-06-01T16:30:00+02:00"}, 422, "outside_hours"),  # would end at 17:30
        ({"start": "2026-06-01T12:00:00"}, 400, "invalid"),  # no offset
        ({"start": "morgen"}, 400, "invalid"),
        ({"time_zone": "Europe/Atlantis"}, 400, "unknown_time_zone"),
        ({"type": "00000000-0000-0000-0000-000000000000"}, 400, "unknown_type"),
        ({"type": "beratung"}, 400, "invalid"),
    ],
)
def test_bad_input_is_refused_in_the_error_shape_and_holds_nothing(
    api_client, customer, consultation_type, body, status, code
):
    api_client.force_login(customer)
    wanted = {
        "type": str(consultation_type.translation_key),
        "start": MONDAY_NOON,
        "time_zone": "Europe/Berlin",
    }

    response = api_client.post("/api/v1/booking/holds/", {**wanted, **body}, content_type="application/json")

    assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.content
    assert response.json()["error"]["message"]
    assert not Booking.objects.exists()
    assert basket_lines(customer) == []


@freeze_time(NOW)
def test_notice_refuses_a_start_too_soon(api_client, customer, consultant, consultation_type):
    consultant.minimum_notice_minutes = 12 * 60
    consultant.save()
    api_client.force_login(customer)

    response = hold(api_client, consultation_type.translation_key, "2026-06-01T16:00:00+02:00")

    assert (response.status_code, response.json()["error"]["code"]) == (422, "too_soon")


@freeze_time(NOW)
def test_holding_needs_a_login(api_client, consultation_type):
    response = hold(api_client, consultation_type.translation_key, MONDAY_NOON)
    assert response.status_code == 401


@freeze_time(NOW)
def test_the_same_idempotency_key_gives_the_same_hold_and_another_body_is_refused(
    api_client, customer, consultation_type
):
    api_client.force_login(customer)
    key = consultation_type.translation_key
    first = hold(api_client, key, MONDAY_NOON, HTTP_IDEMPOTENCY_KEY="k-1")
    again = hold(api_client, key, MONDAY_NOON, HTTP_IDEMPOTENCY_KEY="k-1")
    other = hold(api_client, key, "2026-06-01T14:00:00+02:00", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert Booking.objects.count() == 1 and len(basket_lines(customer)) == 1


@freeze_time(NOW)
def test_the_first_timer_rate_is_held_once_at_a_time(api_client, customer, consultation_type):
    api_client.force_login(customer)
    key = consultation_type.translation_key
    first = hold(api_client, key, MONDAY_NOON).json()
    second = hold(api_client, key, "2026-06-01T14:00:00+02:00").json()

    assert (first["first_timer"], first["price"]["amount"]) == (True, "59.00")
    assert (second["first_timer"], second["price"]["amount"]) == (False, "89.00")
    assert sorted(line.price_incl_tax for line in basket_lines(customer)) == [
        Decimal("59.00"),
        Decimal("89.00"),
    ]


@freeze_time(NOW)
def test_dropping_a_hold_frees_the_time_and_the_basket_line(api_client, make_user, consultation_type):
    first = make_user("erste@example.com")
    api_client.force_login(first)
    held = hold(api_client, consultation_type.translation_key, MONDAY_NOON).json()

    dropped = api_client.delete(f"/api/v1/booking/holds/{held['id']}/")

    assert dropped.status_code == 204
    assert basket_lines(first) == []
    api_client.force_login(make_user("zweite@example.com"))
    assert hold(api_client, consultation_type.translation_key, MONDAY_NOON).status_code == 201
    assert api_client.delete(f"/api/v1/booking/holds/{held['id']}/").status_code == 404


def test_the_database_refuses_an_overlapping_booking_written_past_the_services(consultant, consultation_type):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    booking_make(consultant, consultation_type, TUESDAY_10)
    booking_make(consultant, consultation_type, TUESDAY_10 + timedelta(hours=1))  # adjacent: fine
    booking_make(consultant, consultation_type, TUESDAY_10, status=Booking.Status.CANCELLED)  # not live

    with pytest.raises(IntegrityError, match="booking_no_overlap_per_consultant"), transaction.atomic():
        booking_make(consultant, consultation_type, TUESDAY_10 + timedelta(minutes=30))


@pytest.mark.django_db(transaction=True)
def test_twenty_shoppers_holding_one_time_at_once_get_one_hold_and_nineteen_409s(
    make_user, consultation_type, consultant
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    users = [make_user(f"kunde{n}@example.com") for n in range(20)]
    barrier = threading.Barrier(len(users))
    outcomes: list[object] = []

    def attempt(user):
        try:
            barrier.wait()
            booking = holds.hold_place(
                user=user,
                type_key=consultation_type.translation_key,
                start=TUESDAY_10,
                time_zone="Europe/Berlin",
            )
            outcomes.append(booking.pk)
        except ApiError as error:
            outcomes.append((error.status_code, error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    with freeze_time(NOW):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    refusals = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    assert len(outcomes) == 20
    assert refusals == [(409, "slot_taken")] * 19
    assert Booking.objects.filter(status=Booking.Status.HELD).count() == 1
    assert Line.objects.count() == 1


@freeze_time(NOW)
def test_one_shopper_cannot_hold_more_than_three_times_at_once(api_client, customer, consultation_type):
    api_client.force_login(customer)
    key = consultation_type.translation_key
    for hour in (11, 12, 13):
        assert hold(api_client, key, f"2026-06-01T{hour}:00:00+02:00").status_code == 201

    fourth = hold(api_client, key, "2026-06-01T14:00:00+02:00")

    assert (fourth.status_code, fourth.json()["error"]["code"]) == (409, "too_many_holds")
    assert Booking.objects.count() == 3


def test_the_types_say_whether_the_first_timer_price_applies_to_the_caller(
    api_client, customer, consultation_type
):
    english = consultation_type.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0])
    english.title = "Jewellery consultation"
    english.save()

    anonymous = api_client.get("/api/v1/booking/types/?locale=en")
    api_client.force_login(customer)
    mine = api_client.get("/api/v1/booking/types/?locale=de").json()

    (shown,) = anonymous.json()
    assert (shown["title"], shown["first_timer_applies"]) == ("Jewellery consultation", None)
    assert shown["price"] == {"amount": "89.00", "currency": "EUR"}
    assert "public" in anonymous["Cache-Control"]
    assert (mine[0]["title"], mine[0]["first_timer_applies"]) == ("Schmuckberatung", True)
    assert mine[0]["price_for_you"] == {"amount": "59.00", "currency": "EUR"}
