"""The studio panel on the admin's dashboard: each figure is what the business holds now, and
links to where staff act on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from freezegun import freeze_time

from booking.models import Booking
from media_pipeline.models import VideoAsset
from tests.booking.conftest import booking_make

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@freeze_time("2026-11-20 09:00:00")
def test_the_dashboard_shows_the_studios_figures(
    staff_client, consultant, consultation_type, shop_catalog, customer, buy
):
    buy(customer, shop_catalog.videos[0], shop_catalog.videos[2])  # 9.00 + 19.99 today
    soon = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
    booking_make(consultant, consultation_type, soon)
    booking_make(consultant, consultation_type, soon + timedelta(hours=2), status=Booking.Status.CANCELLED)
    booking_make(consultant, consultation_type, soon + timedelta(days=8))  # beyond the 7 days
    VideoAsset.objects.create(title="Broken upload", status=VideoAsset.Status.FAILED)

    response = staff_client.get("/admin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "studio-figures" in page
    panel = next(panel for panel in response.context["panels"] if panel.name == "studio")
    with translation.override("en"):
        figures = panel.get_context_data({})["figures"]
        shown = {str(figure.label): (figure.value, figure.url) for figure in figures}
    assert shown["Consultations in the next 7 days"] == ("1", "/admin/consultations/bookings/")
    assert shown["Videos whose processing failed"] == ("1", "/admin/videos/")
    assert shown["Revenue, last 30 days (after refunds)"] == ("€28.99", "/admin/backoffice/reports/revenue/")
    assert shown["Active subscribers · MRR"] == ("0 · €0.00", "/admin/backoffice/reports/subscribers/")
