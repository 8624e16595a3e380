"""``GET /api/v1/me/export/`` hands a person everything the project holds about them;
``DELETE /api/v1/me/`` erases it, keeping orders for the books without anything naming the person.
Deleting needs a login or re-authentication within the last few minutes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from freezegun import freeze_time
from oscar.apps.address.models import Country, UserAddress
from oscar.apps.basket.models import Basket
from oscar.apps.catalogue.models import Product
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import BillingAddress, Order
from oscar.apps.order.utils import OrderCreator
from oscar.apps.partner.strategy import Selector
from oscar.apps.shipping.methods import Free
from PIL import Image

from accounts import registry
from accounts.models import User
from demo.catalogue import seed_site_tree
from tests.shop.factories import draft_catalog_page, publish

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
EXPORT = "/api/v1/me/export/"
REAUTHENTICATE = "/_allauth/browser/v1/auth/2fa/reauthenticate"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
PASSWORD = "Goldschmiede-2026"
NOW = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def product(django_capture_on_commit_callbacks) -> Product:
    with django_capture_on_commit_callbacks(execute=True):
        _home, library = seed_site_tree()
    publish(draft_catalog_page(library, title="Fassen von Cabochons", price="29.00"))
    return Product.objects.get()


def place_order(user: User, product: Product, number: str) -> Order:
    """A paid order through Oscar's own OrderCreator, as the checkout makes them."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(product)
    method = Free()
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    germany, _ = Country.objects.get_or_create(
        iso_3166_1_a2="DE", defaults={"name": "Germany", "printable_name": "Deutschland"}
    )
    billing = BillingAddress.objects.create(
        first_name=user.first_name,
        last_name=user.last_name,
        line1="Goldgasse 7",
        line4="Pforzheim",
        postcode="75175",
        country=germany,
    )
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=method,
        shipping_charge=charge,
        user=user,
        billing_address=billing,
        order_number=number,
        status="Paid",
    )
    basket.submit()
    return order


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "gold").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def shopper(django_user_model, product) -> User:
    """A shopper with one of every kind of record: logins of each kind, a picture, an order, a
    saved address and a basket waiting."""
    user = django_user_model.objects.create_user(
        email="ada@example.com", password=PASSWORD, first_name="Ada", last_name="Goldschmied"
    )
    user.avatar.save("ada.png", ContentFile(png()))
    EmailAddress.objects.create(user=user, email="ada@example.com", verified=True, primary=True)
    social = SocialAccount.objects.create(
        user=user, provider="google", uid="108234567890", extra_data={"name": "Ada Goldschmied"}
    )
    SocialToken.objects.create(account=social, token="ya29.secret-access-token")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    place_order(user, product, "100042")
    germany = Country.objects.get(pk="DE")
    UserAddress.objects.create(
        user=user, first_name="Ada", line1="Goldgasse 7", line4="Pforzheim", country=germany
    )
    open_basket = Basket.objects.create(owner=user)
    open_basket.strategy = Selector().strategy(user=user)
    open_basket.add_product(product)
    return user


def logged_in(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def reauthenticated(user: User) -> Client:
    """Logged in, and just now proved it with allauth's headless re-authentication (a shopper has
    no password that counts: accounts/backends.py; this one has an authenticator app)."""
    client = logged_in(user)
    code = format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))
    response = client.post(REAUTHENTICATE, {"code": code}, content_type="application/json")
    assert response.status_code == 200, response.content
    return client


def test_export_holds_every_kind_of_record_the_person_has(shopper):
    response = logged_in(shopper).get(EXPORT)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    profile = data["profile"]
    assert (profile["email"], profile["first_name"], profile["last_name"]) == (
        "ada@example.com",
        "Ada",
        "Goldschmied",
    )
    assert (profile["locale"], profile["time_zone"]) == ("de", "Europe/Berlin")
    assert profile["avatar"].startswith("http://testserver/media/avatars/")

    logins = data["logins"]
    assert logins["email_addresses"] == [{"email": "ada@example.com", "verified": True, "primary": True}]
    [social] = logins["social_accounts"]
    assert (social["provider"], social["uid"], social["extra_data"]) == (
        "google",
        "108234567890",
        {"name": "Ada Goldschmied"},
    )
    assert [authenticator["type"] for authenticator in logins["authenticators"]] == ["totp"]
    assert "last_login" in logins
    assert "JBSWY3DPEHPK3PXP" not in response.content.decode()
    assert "secret-access-token" not in response.content.decode()

    [order] = data["orders"]
    assert order["number"] == "100042"
    assert order["total"] == {"amount": "29.00", "currency": "EUR"}
    assert order["billing_address"]["line1"] == "Goldgasse 7"
    [line] = order["lines"]
    assert (line["title"], line["quantity"], line["line_price"]) == (
        "Fassen von Cabochons",
        1,
        {"amount": "29.00", "currency": "EUR"},
    )

    shop = data["shop"]
    assert [address["line1"] for address in shop["addresses"]] == ["Goldgasse 7"]
    [basket] = shop["baskets"]
    assert [line["product"] for line in basket["lines"]] == ["Fassen von Cabochons"]
    assert shop["statistics"][0]["num_orders"] == 1


def test_export_holds_the_sections_other_apps_register(shopper):
    registry.register("workshops", export=lambda user: [{"for": user.email}], erase=lambda user: None)
    try:
        data = logged_in(shopper).get(EXPORT).json()
    finally:
        registry.unregister("workshops")

    assert data["workshops"] == [{"for": "ada@example.com"}]


def test_a_section_name_is_taken_once():
    with pytest.raises(ImproperlyConfigured):
        registry.register("orders", export=lambda user: [], erase=lambda user: None)
    with pytest.raises(ImproperlyConfigured):
        registry.register("profile", export=lambda user: [], erase=lambda user: None)


def test_one_shopper_never_sees_anothers_data_in_the_export(shopper, django_user_model):
    other = django_user_model.objects.create_user(email="bea@example.com", password="y")

    response = logged_in(other).get(EXPORT)

    data = response.json()
    assert data["profile"]["email"] == "bea@example.com"
    assert data["orders"] == []
    assert data["logins"]["email_addresses"] == data["logins"]["social_accounts"] == []
    assert all(records == [] for records in data["shop"].values())
    assert "ada@example.com" not in response.content.decode()


def test_deletion_erases_the_person_and_keeps_the_order_anonymised(
    shopper, django_capture_on_commit_callbacks
):
    erased_sections = []
    registry.register("workshops", export=lambda user: [], erase=erased_sections.append)
    client = reauthenticated(shopper)
    avatar = shopper.avatar.name
    order_before = Order.objects.get(number="100042")

    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.delete(ME)
    finally:
        registry.unregister("workshops")

    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(pk=shopper.pk)
    assert (user.first_name, user.last_name) == ("", "")
    assert user.email.endswith("@erased.invalid")
    assert "ada" not in user.email
    assert not user.avatar
    assert not default_storage.exists(avatar)
    assert not user.is_active
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.exists()
    assert not SocialToken.objects.exists()
    assert not Authenticator.objects.exists()
    assert erased_sections == [user]

    order = Order.objects.get(number="100042")
    assert order.user is None
    assert order.guest_email == ""
    assert order.email == ""
    assert (order.total_incl_tax, order.total_excl_tax) == (order_before.total_incl_tax, Decimal("29.00"))
    assert [(line.title, line.line_price_incl_tax) for line in order.lines.all()] == [
        ("Fassen von Cabochons", Decimal("29.00"))
    ]
    billing = order.billing_address
    assert (billing.first_name, billing.last_name, billing.line1, billing.line4, billing.postcode) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert billing.country_id == "DE"  # where VAT was due
    assert "Goldschmied" not in billing.search_text
    assert not UserAddress.objects.exists()
    assert not Basket.objects.filter(owner=user).exists()


def test_after_deletion_the_person_cannot_log_in_and_old_sessions_and_tokens_are_dead(shopper):
    client = reauthenticated(shopper)
    other_device = logged_in(shopper)
    token = other_device.session.session_key  # what allauth hands an app client as its session token

    assert client.delete(ME).status_code == 204

    assert client.get(ME).status_code == 401
    assert other_device.get(ME).status_code == 401
    assert Client().get(ME, headers={"X-Session-Token": token}).status_code == 401
    assert not Session.objects.filter(session_key=token).exists()
    assert not Client().login(email="ada@example.com", password=PASSWORD)
    erased = User.objects.get(pk=shopper.pk)
    assert not Client().login(email=erased.email, password=PASSWORD)


def test_deletion_without_recent_authentication_is_refused(shopper):
    client = logged_in(shopper)  # a session with no record of how or when the person logged in

    response = client.delete(ME)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauthentication_required"
    shopper.refresh_from_db()
    assert shopper.is_active
    assert shopper.email == "ada@example.com"
    assert Order.objects.get(number="100042").user == shopper


def test_deletion_is_refused_once_the_reauthentication_is_minutes_old(shopper):
    with freeze_time(NOW) as clock:
        client = reauthenticated(shopper)
        clock.tick(datetime.timedelta(minutes=6))

        response = client.delete(ME)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauthentication_required"
    assert User.objects.get(pk=shopper.pk).is_active


def test_deleting_ones_own_account_leaves_everyone_elses_alone(shopper, django_user_model, product):
    other = django_user_model.objects.create_user(email="bea@example.com", password=PASSWORD)
    Authenticator.objects.create(user=other, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    place_order(other, product, "100043")

    assert reauthenticated(other).delete(ME).status_code == 204

    shopper.refresh_from_db()
    assert shopper.is_active
    assert (shopper.email, shopper.first_name) == ("ada@example.com", "Ada")
    assert Order.objects.get(number="100042").user == shopper
    assert Order.objects.get(number="100042").billing_address.line1 == "Goldgasse 7"
    assert EmailAddress.objects.filter(user=shopper).exists()
    assert logged_in(shopper).get(ME).status_code == 200


# ------------------------------------------------------------------------------
# The shopper's own way in: the e-mailed code, in the browser and in an app
# ------------------------------------------------------------------------------
def test_a_shopper_who_just_logged_in_by_code_deletes_the_account_from_the_site(
    browser, make_shopper, mailbox
):
    person = make_shopper("kundin@example.com", first_name="Kundin")
    astro = browser()
    astro.post("/auth/code/request", {"email": "kundin@example.com"})
    assert astro.post("/auth/code/confirm", {"code": mailbox.last().code}).status_code == 200
    csrf = {"x-csrftoken": astro.client.cookies["csrftoken"].value}

    assert astro.client.delete(ME).status_code == 403  # without the CSRF token: refused, as any write
    assert User.objects.get(pk=person.pk).is_active
    assert astro.client.delete(ME, headers=csrf).status_code == 204

    assert not astro.is_authenticated()
    assert astro.client.get(ME).status_code == 401
    assert not User.objects.get(pk=person.pk).is_active


def test_an_app_deletes_with_its_access_token_and_its_tokens_stop_working(
    app, make_shopper, mailbox, rs256_tokens
):
    make_shopper("kundin@example.com")
    phone = app()
    phone.post("/auth/code/request", {"email": "kundin@example.com"})
    assert phone.post("/auth/code/confirm", {"code": mailbox.last().code}).status_code == 200
    bearer = {"authorization": f"Bearer {phone.access_token}"}
    assert phone.client.get(ME, headers=bearer).json()["email"] == "kundin@example.com"

    assert phone.client.delete(ME, headers=bearer).status_code == 204

    assert phone.client.get(ME, headers=bearer).status_code == 401
    assert app().post("/tokens/refresh", {"refresh_token": phone.refresh_token}).status_code >= 400
