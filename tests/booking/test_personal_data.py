"""A shopper's bookings in their data export, and what erasing the account does to them: the
bookings stay for the studio's books without the person; a consultation still to come is
cancelled (its time freed), a hold ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from accounts.services import user_erase
from booking.models import Booking
from tests.booking.conftest import booking_make

pytestmark = pytest.mark.django_db


@freeze_time("2026-06-01 08:00:00")
def test_the_export_lists_the_bookings_and_erasure_keeps_them_without_the_person(
    api_client, customer, consultant, consultation_type, django_capture_on_commit_callbacks
):
    past = booking_make(consultant, consultation_type, datetime(2026, 5, 4, 8, tzinfo=UTC), user=customer)
    coming = booking_make(consultant, consultation_type, datetime(2026, 6, 3, 8, tzinfo=UTC), user=customer)
    held = booking_make(
        consultant,
        consultation_type,
        datetime(2026, 6, 4, 8, tzinfo=UTC),
        status=Booking.Status.HELD,
        user=customer,
    )
    api_client.force_login(customer)

    exported = api_client.get("/api/v1/me/export/").json()["bookings"]
    assert [row["id"] for row in exported] == [past.pk, coming.pk, held.pk]
    assert exported[1]["start"] == "2026-06-03T08:00:00+00:00"

    with django_capture_on_commit_callbacks(execute=True):
        user_erase(user=customer)

    rows = {row.pk: row for row in Booking.objects.all()}
    assert all(row.user_id is None for row in rows.values())
    assert rows[past.pk].status == Booking.Status.CONFIRMED  # it took place; the books keep it
    assert (rows[coming.pk].status, rows[coming.pk].cancelled_by) == ("cancelled", "system")
    assert rows[held.pk].status == Booking.Status.EXPIRED
