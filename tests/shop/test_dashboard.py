"""Staff run the shop from Oscar's dashboard: orders, vouchers, offers and reports open, with
the VAT-inclusive amounts of a real order on them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop_catalog, customer, place_order):
    return place_order(customer, shop_catalog.product(shop_catalog.videos[2]))


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/",
        "/dashboard/orders/",
        "/dashboard/orders/?status=pending",
        "/dashboard/vouchers/",
        "/dashboard/vouchers/create/",
        "/dashboard/offers/",
        "/dashboard/ranges/",
        "/dashboard/reports/",
        "/dashboard/reports/?report_type=order_report&date_from=2026-01-01&date_to=2026-12-31",
        "/dashboard/catalogue/",
        "/dashboard/users/",
    ],
)
def test_the_dashboard_pages_open_for_staff(staff_client, order, path):
    response = staff_client.get(path)
    assert response.status_code == 200, response.content[:500]


def test_an_order_shows_its_gross_and_net_total_in_the_dashboard(staff_client, order):
    response = staff_client.get(f"/dashboard/orders/{order.number}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "19,99" in page or "19.99" in page
    assert "16,80" in page or "16.80" in page  # net: 19.99 less the 3.19 VAT inside it


def test_the_dashboard_is_closed_to_shoppers(client, customer):
    client.force_login(customer)
    response = client.get("/dashboard/orders/")
    assert response.status_code in (302, 403)
