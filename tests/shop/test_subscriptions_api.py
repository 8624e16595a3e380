"""The subscription endpoints: plans, subscribe, portal, the shopper's subscription, the library.
Stripe is answered at its HTTP boundary; time is frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from djstripe.models import Customer
from freezegun import freeze_time

import stripe_fakes
from stripe_fakes import event, form, new_id, stripe_object
from tests.shop import subscription_fakes
from tests.shop.subscription_fakes import customer_object, subscription_object

stripe_keys, stripe_api, deliver = stripe_fakes.stripe_keys, stripe_fakes.stripe_api, stripe_fakes.deliver
stripe_sub, plans = subscription_fakes.stripe_sub, subscription_fakes.plans  # fixtures

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_plans_list_prices_and_the_yearly_saving_in_each_language(api_client, plans):
    german = api_client.get("/api/v1/subscriptions/plans/").json()
    english = api_client.get("/api/v1/subscriptions/plans/?locale=en").json()

    assert [(p["interval"], p["name"], p["price"]["amount"]) for p in german["results"]] == [
        ("month", "Monatsabo", "19.00"),
        ("year", "Jahresabo", "190.00"),
    ]
    assert [p["name"] for p in english["results"]] == ["Monthly plan", "Yearly plan"]
    assert english["results"][1]["price_per_month"] == {"amount": "15.83", "currency": "EUR"}
    # 12 x 19.00 = 228.00 against 190.00
    assert german["yearly_saving"] == {"amount": {"amount": "38.00", "currency": "EUR"}, "percent": 17}
    assert german["results"][0]["id"] == english["results"][0]["id"] == str(plans.monthly.id)


def held_subscription(stripe_sub, user, price, *, status, start=NOW, end=NOW + timedelta(days=31)):
    """``user``'s Stripe customer (mirrored, as after their first subscribe) and a subscription
    Stripe now holds for them; returns both as Stripe sends them."""
    customer = stripe_sub.customer(user)
    Customer.sync_from_stripe_data(customer, api_key=stripe_fakes.SECRET_KEY)
    subscription = subscription_object(
        customer=customer["id"], price=price, status=status, start=start, end=end
    )
    return customer, stripe_sub.hold(subscription)


@pytest.fixture
def shopper_client(client, customer):
    client.force_login(customer)
    return client


def _answer_customer_and_sessions(stripe_api, customer):
    made = customer_object(customer)
    stripe_api.on("POST", "/v1/customers", made)
    stripe_api.on(
        "POST",
        "/v1/checkout/sessions",
        stripe_object(
            "checkout.session",
            id=new_id("cs"),
            mode="subscription",
            url="https://checkout.stripe.com/c/pay/cs_sub",
        ),
    )
    return made


@freeze_time(NOW)
def test_subscribing_opens_stripe_checkout_for_the_shoppers_one_customer(
    shopper_client, customer, plans, stripe_api, settings
):
    settings.SUBSCRIPTION_TRIAL_DAYS = 7
    made = _answer_customer_and_sessions(stripe_api, customer)

    first = shopper_client.post(
        "/api/v1/subscriptions/checkout/", {"plan": str(plans.yearly.id)}, content_type="application/json"
    )
    again = shopper_client.post(
        "/api/v1/subscriptions/checkout/", {"plan": str(plans.yearly.id)}, content_type="application/json"
    )

    assert first.status_code == again.status_code == 201
    assert first.json() == {"url": "https://checkout.stripe.com/c/pay/cs_sub"}
    customers = stripe_api.calls_to("POST", "/v1/customers")
    assert len(customers) == 1  # made once, then mirrored and reused
    assert customers[0].request.headers["Idempotency-Key"] == f"customer-user-{customer.pk}"
    assert Customer.objects.get(id=made["id"]).subscriber == customer
    sessions = stripe_api.calls_to("POST", "/v1/checkout/sessions")
    sent = form(sessions[0].request)
    assert sent["mode"] == "subscription"
    assert sent["customer"] == made["id"]
    assert sent["line_items[0][price]"] == plans.yearly.price_id
    assert sent["subscription_data[trial_period_days]"] == "7"  # the first-timer trial
    assert sent["locale"] == "de"
    # A second press in the same minutes is the same attempt: Stripe gives the same session.
    keys = {call.request.headers["Idempotency-Key"] for call in sessions}
    assert len(keys) == 1


def test_subscribing_to_an_unknown_plan_is_a_clear_error_and_makes_nothing(shopper_client, plans, stripe_api):
    before = len(stripe_api.calls)
    for body in ({"plan": "00000000-0000-0000-0000-000000000000"}, {"plan": "gold"}, {}):
        response = shopper_client.post(
            "/api/v1/subscriptions/checkout/", body, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] in ("unknown_plan", "invalid")
    assert len(stripe_api.calls) == before
    assert not Customer.objects.exists()


def test_subscribing_needs_a_login(api_client, plans):
    response = api_client.post(
        "/api/v1/subscriptions/checkout/", {"plan": str(plans.monthly.id)}, content_type="application/json"
    )
    assert response.status_code == 401


@freeze_time(NOW)
def test_subscribing_while_subscribed_is_refused_with_the_portal(
    shopper_client, customer, plans, stripe_sub, stripe_api, deliver
):
    _data, subscription = held_subscription(stripe_sub, customer, plans.price("month"), status="active")
    deliver(event("customer.subscription.created", subscription))
    before = len(stripe_api.calls)

    response = shopper_client.post(
        "/api/v1/subscriptions/checkout/", {"plan": str(plans.yearly.id)}, content_type="application/json"
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "already_subscribed"
    assert error["portal"] == "/api/v1/subscriptions/portal/"
    assert len(stripe_api.calls) == before  # nothing made in Stripe


def test_the_portal_without_a_customer_says_there_is_nothing_to_manage(shopper_client, stripe_api):
    response = shopper_client.post("/api/v1/subscriptions/portal/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_subscription"
    assert stripe_api.calls == []


def test_the_portal_opens_for_the_shoppers_customer(shopper_client, customer, stripe_sub, stripe_api):
    data = stripe_sub.customer(customer)
    Customer.sync_from_stripe_data(data, api_key=stripe_fakes.SECRET_KEY)
    stripe_api.on(
        "POST",
        "/v1/billing_portal/sessions",
        stripe_object("billing_portal.session", url="https://billing.stripe.com/p/session/test_1"),
    )

    response = shopper_client.post("/api/v1/subscriptions/portal/")

    assert response.status_code == 201
    assert response.json() == {"url": "https://billing.stripe.com/p/session/test_1"}
    sent = form(stripe_api.calls_to("POST", "/v1/billing_portal/sessions")[0].request)
    assert sent["customer"] == data["id"]
    assert sent["return_url"].endswith("/de/account/subscription")


@freeze_time(NOW)
def test_my_subscription_says_status_period_and_what_to_do_next(
    shopper_client, customer, plans, stripe_sub, deliver, settings
):
    assert shopper_client.get("/api/v1/me/subscription/").json()["next_action"] == "subscribe"
    _data, subscription = held_subscription(
        stripe_sub,
        customer,
        plans.price("year"),
        status="past_due",
        start=NOW - timedelta(days=1),
        end=NOW + timedelta(days=364),
    )
    deliver(event("customer.subscription.updated", subscription))

    answer = shopper_client.get("/api/v1/me/subscription/?locale=en").json()

    assert answer["status"] == "past_due"
    assert answer["plan"]["name"] == "Yearly plan"
    assert answer["access"] is True
    assert answer["access_until"] == "2026-03-03T11:00:00+01:00"  # one day into a three-day grace
    assert answer["next_action"] == "update_payment_method"
    assert answer["portal"] == "/api/v1/subscriptions/portal/"


@freeze_time(NOW)
def test_the_library_lists_the_videos_the_subscription_gives(
    shopper_client, customer, plans, stripe_sub, deliver, shop_catalog
):
    _data, subscription = held_subscription(stripe_sub, customer, plans.price("month"), status="active")
    assert shopper_client.get("/api/v1/me/library/").json()["count"] == 0

    deliver(event("customer.subscription.created", subscription))
    library = shopper_client.get("/api/v1/me/library/").json()

    assert library["count"] == 3
    assert {tuple(s["type"] for s in video["sources"]) for video in library["results"]} == {("subscription",)}


def test_the_demo_subscribes_without_stripe_through_the_local_page(
    client, customer, settings, django_capture_on_commit_callbacks
):
    from shop.subscriptions.local import price_put
    from shop.subscriptions.plans import DEFAULT_PLANS, plan_put

    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    for order, text in enumerate(DEFAULT_PLANS):
        price = price_put(
            key=text.interval + "ly",
            name=text.name_en,
            amount_cents=int(text.amount * 100),
            interval=text.interval,
        )
        plan_put(text=text, price_id=price.id, sort_order=order)
    client.force_login(customer)
    plan = client.get("/api/v1/subscriptions/plans/").json()["results"][0]

    url = client.post(
        "/api/v1/subscriptions/checkout/", {"plan": plan["id"]}, content_type="application/json"
    ).json()["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/{path}", {"action": "subscribe"})

    assert page.status_code == 302
    mine = client.get("/api/v1/me/subscription/").json()
    assert (mine["status"], mine["access"], mine["plan"]["interval"]) == ("active", True, "month")
    portal = client.post("/api/v1/subscriptions/portal/").json()["url"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/" + portal.split("://", 1)[1].split("/", 1)[1], {"action": "cancel"})
    mine = client.get("/api/v1/me/subscription/").json()
    assert (mine["cancel_at_period_end"], mine["next_action"]) == (True, "resume")


@freeze_time(NOW)
def test_erasing_the_account_ends_the_subscription_in_stripe_and_exports_it_before(
    api_client, customer, plans, stripe_sub, stripe_api, deliver, shop_catalog
):
    from accounts.services import user_erase
    from shop.access.selectors import may_watch

    data, subscription = held_subscription(stripe_sub, customer, plans.price("month"), status="active")
    deliver(event("customer.subscription.created", subscription))
    api_client.force_login(customer)
    exported = api_client.get("/api/v1/me/export/").json()["subscriptions"]
    assert [(entry["id"], entry["status"], entry["price"]) for entry in exported] == [
        (subscription["id"], "active", plans.monthly.price_id)
    ]
    stripe_api.on(
        "DELETE", f"/v1/customers/{data['id']}", {"id": data["id"], "object": "customer", "deleted": True}
    )

    user_erase(user=customer)

    assert len(stripe_api.calls_to("DELETE", f"/v1/customers/{data['id']}")) == 1
    mirrored = Customer.objects.get(id=data["id"])
    assert (mirrored.subscriber_id, mirrored.email) == (None, "")
    assert not may_watch(customer, shop_catalog.videos[0])


def test_what_unlocks_an_included_video_names_the_subscription_too(plans, shop_catalog):
    from shop.access.selectors import video_offers

    offers = video_offers(shop_catalog.videos[0], locale="en")

    assert [(offer["kind"], offer["title"]) for offer in offers] == [
        ("video", "Soldering with a micro torch"),
        ("course", "Goldsmithing basics"),
        ("bundle", "Meisterpaket"),
        ("subscription", "Yearly plan"),  # the cheapest per month: 15.83 against 19.00
    ]
    assert offers[-1]["price"] == Decimal("15.83")
