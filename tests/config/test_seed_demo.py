"""seed_demo builds the bilingual demo and is idempotent."""

import pytest
from django.core.management import call_command
from oscar.apps.catalogue.models import Product
from oscar.apps.order.models import Order
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import StringTranslation

from accounts.models import User
from booking.models import Booking
from cms.models import HomePage, VideoPage

pytestmark = pytest.mark.django_db

# Without video files: tests/media_pipeline/test_demo_videos.py covers the demo clips.
# With a small sample year for the reports: 20 shoppers with 50 orders.
SIZES = ["--videos", "3", "--video-clips", "0", "--users", "2", "--orders", "4"]
SIZES += ["--history-shoppers", "20", "--history-orders", "50"]


@pytest.fixture
def seed(django_capture_on_commit_callbacks):
    """seed_demo as it runs for real: wagtail-localize publishes translations on commit."""

    def run(*args: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", *args)

    return run


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Page, VideoPage, Locale, Site, User, Product, Order, StringTranslation)
    }


def test_second_run_changes_nothing(seed, capsys):
    seed(*SIZES)
    first = counts()
    seed(*SIZES)
    assert counts() == first
    assert first["VideoPage"] == 6  # three videos, each in German and English
    # The demo's 4, the sample year's 50, and the sample year's consultations, each paid by an order.
    sample_consultations = Booking.objects.filter(order__number__startswith="S").count()
    assert sample_consultations > 0
    assert first["Order"] == 4 + 50 + sample_consultations
    assert "admin@phialo.localhost" in capsys.readouterr().out


def test_the_printed_admin_can_sign_in_to_every_admin(seed, api_client, capsys):
    seed("--videos", "0", "--users", "0", "--orders", "0", "--history-shoppers", "0")
    printed = capsys.readouterr().out
    recovery_code = printed.split("each works once): ")[1].split(",")[0].strip()
    assert api_client.login(email="admin@phialo.localhost", password="phialo-demo")
    assert api_client.get("/admin/")["Location"].startswith("/staff/2fa/verify/")
    response = api_client.post("/staff/2fa/verify/", {"code": recovery_code, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    for path in ("/admin/", "/dashboard/", "/django-admin/"):
        assert api_client.get(path).status_code == 200, path


def test_site_serves_both_locale_trees(seed, api_client):
    seed(*SIZES)
    german = HomePage.objects.get(locale__language_code="de")
    assert Site.objects.get(is_default_site=True).root_page_id == german.pk
    assert german.get_translation(Locale.objects.get(language_code="en")).title == "Phialo Jewellery Design"

    for locale, title in [("de", "Ringschiene sägen und feilen"), ("en", "Sawing and filing a ring shank")]:
        response = api_client.get(f"/api/v2/pages/?type=cms.VideoPage&locale={locale}&order=id")
        assert response.status_code == 200
        body = response.json()
        assert body["meta"]["total_count"] == 3
        assert body["items"][0]["title"] == title
