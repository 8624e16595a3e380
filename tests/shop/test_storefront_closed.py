"""Only Oscar's dashboard is mounted: none of Oscar's HTML storefront answers, neither at its old
paths nor at the names the dashboard still links to (those send the visitor to the Astro site).
Seen before (issue 16, item 2): password registration of any address, password log-in without a
limit, e-mail changes without verification, anonymous reviews and stock alerts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from oscar.apps.catalogue.reviews.models import ProductReview
from oscar.apps.customer.models import ProductAlert

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def product(shop_catalog):
    return shop_catalog.product(shop_catalog.videos[0])


def both_ways(old_path: str, name: str, **kwargs) -> list[str]:
    """The path Oscar's storefront had, and where its name resolves now."""
    return [old_path, reverse(name, kwargs=kwargs)]


@pytest.mark.parametrize("path", both_ways("/accounts/register/", "customer:register"))
def test_nobody_registers_an_address_with_a_password(api_client, path):
    response = api_client.post(
        path,
        {"email": "opfer@example.com", "password1": "Angreifer-2026!", "password2": "Angreifer-2026!"},
    )

    assert response.status_code in (302, 404)
    assert not User.objects.filter(email="opfer@example.com").exists()


@pytest.mark.parametrize("path", both_ways("/accounts/login/", "customer:login"))
def test_oscars_login_page_logs_nobody_in(api_client, make_user, path):
    shopper = make_user("ada@example.com")
    shopper.set_password("Goldschmiede-2026")
    shopper.save()

    api_client.post(
        path,
        {"login-username": "ada@example.com", "login-password": "Goldschmiede-2026", "action": "login"},
    )

    assert api_client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.parametrize("path", both_ways("/accounts/profile/edit/", "customer:profile-update"))
def test_the_e_mail_address_cannot_be_changed_through_oscars_profile_page(api_client, customer, path):
    api_client.force_login(customer)

    api_client.post(path, {"email": "attacker@example.com", "first_name": "X", "last_name": "Y"})

    customer.refresh_from_db()
    assert customer.email == "kundin@example.com"


def test_nobody_writes_a_review(api_client, product):
    paths = both_ways(
        f"/catalogue/{product.slug}_{product.pk}/reviews/add/",
        "catalogue:reviews-add",
        product_slug=product.slug,
        product_pk=product.pk,
    )
    for path in paths:
        api_client.post(
            path,
            {"title": "Spam", "score": 1, "body": "Spam", "name": "Anon", "email": "anyone@example.com"},
        )

    assert not ProductReview.objects.exists()
    assert settings.OSCAR_ALLOW_ANON_REVIEWS is False
    assert settings.OSCAR_MODERATE_REVIEWS is True


def test_nobody_subscribes_an_address_to_stock_alerts(api_client, product):
    for path in both_ways(f"/accounts/alerts/create/{product.pk}/", "customer:alert-create", pk=product.pk):
        api_client.post(path, {"email": "anyone@example.com"})

    assert not ProductAlert.objects.exists()
    assert not mail.outbox
    assert settings.OSCAR_EAGER_ALERTS is False  # alerts left before this fix mail nobody on a save


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("customer:summary", {}),  # on every dashboard page
        ("catalogue:index", {}),
        ("basket:summary", {}),
        ("checkout:index", {}),
        ("password-reset", {}),
    ],
)
def test_storefront_names_only_send_visitors_to_the_astro_site(api_client, name, kwargs):
    path = reverse(name, kwargs=kwargs)

    for method in ("get", "post"):
        response = getattr(api_client, method)(path)
        assert response.status_code == 302
        assert response["Location"] == settings.FRONTEND_URL


def test_a_products_view_on_site_link_from_the_dashboard_leads_to_the_astro_site(api_client, product):
    response = api_client.get(product.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == settings.FRONTEND_URL


@pytest.mark.parametrize(
    "path", ["/catalogue/", "/basket/", "/checkout/", "/search/", "/offers/", "/wishlists/"]
)
def test_oscars_storefront_pages_are_not_served(api_client, path):
    assert api_client.get(path).status_code == 404
