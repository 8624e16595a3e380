"""Refunding lines of an order from the customer view: the money goes back through the shop's
refund path, the access bought with the line goes, a credit note is issued, and bad requests
change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.users.models import UserProfile

from shop.access.selectors import may_watch
from shop.models import Checkout, Invoice
from shop.statuses import LineStatus, OrderStatus

pytestmark = pytest.mark.django_db


def refund_url(user, order) -> str:
    return reverse("backoffice_refunds:refund", args=[user.pk, order.number])


@pytest.fixture
def english(staff_client):
    from accounts.models import User

    profile = UserProfile.get_for_user(User.objects.get(email="admin@phialo.localhost"))
    profile.preferred_language = "en"
    profile.save()


@pytest.fixture
def two_videos(customer, shop_catalog, buy):
    """A paid order of two videos (9.00 and 12.00), paid on the local page."""
    first, second = shop_catalog.videos[0], shop_catalog.videos[1]
    return buy(customer, first, second), first, second


def test_staff_refund_one_line_and_its_access_goes(
    staff_client, english, customer, two_videos, django_capture_on_commit_callbacks
):
    order, first, second = two_videos
    line = order.lines.get(product__upc=str(first.translation_key))
    page = staff_client.get(reverse("backoffice_customers:detail", args=[customer.pk])).content.decode()
    assert f'action="{refund_url(customer, order)}"' in page and f'value="{line.pk}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            refund_url(customer, order), {"lines": [line.pk], "reason": "Doppelt gekauft"}
        )

    assert response.status_code == 302
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.status == LineStatus.REFUNDED
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert Checkout.objects.get(order=order).amount_refunded == Decimal("9.00")
    assert not may_watch(customer, first) and may_watch(customer, second)
    credit_note = Invoice.objects.get(order=order, kind=Invoice.Kind.CREDIT_NOTE)
    assert (credit_note.gross, credit_note.net, credit_note.vat) == (
        Decimal("-9.00"),
        Decimal("-7.56"),
        Decimal("-1.44"),
    )
    # The refunded line is no longer offered.
    page = staff_client.get(reverse("backoffice_customers:detail", args=[customer.pk])).content.decode()
    assert f'value="{line.pk}"' not in page


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"reason": "Kulanz"}, "Choose the lines to refund."),
        ({"lines": ["LINE"], "reason": ""}, "Give a reason"),
        ({"lines": ["999999"], "reason": "Kulanz"}, "Choose lines of this order that can still be refunded."),
    ],
)
def test_a_bad_refund_request_changes_nothing(staff_client, english, customer, two_videos, body, says):
    order, first, _second = two_videos
    body = {
        **body,
        "lines": [
            str(order.lines.first().pk) if value == "LINE" else value for value in body.get("lines", [])
        ],
    }

    response = staff_client.post(refund_url(customer, order), body)

    assert response.status_code == 400
    assert says in response.content.decode()
    assert Checkout.objects.get(order=order).amount_refunded == Decimal("0.00")
    assert may_watch(customer, first)


def test_a_refunded_line_cannot_be_refunded_again(
    staff_client, english, customer, two_videos, django_capture_on_commit_callbacks
):
    order, _first, _second = two_videos
    line = order.lines.first()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(refund_url(customer, order), {"lines": [line.pk], "reason": "Einmal"})

    response = staff_client.post(refund_url(customer, order), {"lines": [line.pk], "reason": "Zweimal"})

    assert response.status_code == 400
    assert Checkout.objects.get(order=order).amount_refunded == line.line_price_incl_tax


def test_an_order_of_someone_else_is_not_found(staff_client, customer, make_user, two_videos):
    order, _first, _second = two_videos
    other = make_user("jemand@example.com")
    response = staff_client.post(refund_url(other, order), {"lines": [order.lines.first().pk], "reason": "x"})
    assert response.status_code == 404


def test_refunds_need_the_right_to_change_orders(
    client, make_user, second_factor_passed, customer, two_videos
):
    order, first, _second = two_videos
    clerk = make_user("service@phialo.example")
    clerk.is_staff = True
    clerk.save()
    for app_label, codename in (("wagtailadmin", "access_admin"), ("backoffice", "serve_customers")):
        clerk.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client.force_login(clerk)
    second_factor_passed(client, clerk)

    page = client.get(reverse("backoffice_customers:detail", args=[customer.pk])).content.decode()
    response = client.post(refund_url(customer, order), {"lines": [order.lines.first().pk], "reason": "x"})

    assert refund_url(customer, order) not in page
    assert response.status_code in (302, 403)
    assert Checkout.objects.get(order=order).amount_refunded == Decimal("0.00")
    assert may_watch(customer, first)
