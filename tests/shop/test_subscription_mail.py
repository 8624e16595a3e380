"""The subscription e-mails: started, payment failed (with the portal link and until when access
continues), cancelled or ended, ending soon. Each once, in the shopper's language, whatever is
delivered twice; none to a shopper without an address. Stripe is answered at its HTTP boundary,
events are signed and go through the production webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from freezegun import freeze_time

import stripe_fakes
from shop.models import SubscriptionNotice
from shop.subscriptions.notices import ending_soon_notify
from shop.subscriptions.services import subscription_sync
from shop.subscriptions.tasks import subscription_notice_send
from stripe_fakes import event, new_id, post_event, stripe_object
from tests.shop import subscription_fakes
from tests.shop.subscription_fakes import subscription_object

stripe_keys, stripe_api, stripe_sub, plans = (  # fixtures
    stripe_fakes.stripe_keys,
    stripe_fakes.stripe_api,
    subscription_fakes.stripe_sub,
    subscription_fakes.plans,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
RENEWAL = datetime(2026, 4, 14, 10, 0, tzinfo=UTC)
NEXT_RENEWAL = datetime(2026, 5, 14, 10, 0, tzinfo=UTC)

GERMAN = {
    "locale": "de",
    "started": "Willkommen im Phialo-Abo – Monatsabo",
    "started_text": "Dein Monatsabo ist aktiv: 19,00 € pro Monat. Es verlängert sich am 14.04.2026.",
    "failed": "Zahlung für dein Phialo-Abo fehlgeschlagen – bitte Zahlungsmethode prüfen",
    "failed_text": "Bis zum 17.04.2026 kannst du weiterhin alle Videos ansehen",
    "cancelled": "Dein Phialo-Abo ist gekündigt – Zugang bis zum 14.04.2026",
    "cancelled_text": "noch bis zum 14.04.2026 ansehen",
    "ended": "Dein Phialo-Abo ist beendet",
    "ending_soon": "Dein Phialo-Abo endet am 14.04.2026",
    "ending_soon_text": "dein Monatsabo endet am 14.04.2026",
}
ENGLISH = {
    "locale": "en",
    "started": "Welcome to your Phialo subscription – Monthly plan",
    "started_text": "Your Monthly plan is active: €19.00 a month. It renews on 14 April 2026.",
    "failed": "Payment for your Phialo subscription failed – please check your payment method",
    "failed_text": "You can keep watching every video included in the subscription until 17 April 2026.",
    "cancelled": "Your Phialo subscription is cancelled – access until 14 April 2026",
    "cancelled_text": "until 14 April 2026; then your subscription ends",
    "ended": "Your Phialo subscription has ended",
    "ending_soon": "Your Phialo subscription ends on 14 April 2026",
    "ending_soon_text": "your Monthly plan ends on 14 April 2026",
}
LANGUAGES = pytest.mark.parametrize("texts", [GERMAN, ENGLISH], ids=["de", "en"])


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def portal_link(locale: str) -> str:
    return f"http://localhost:4321/{locale}/account/subscription"


@pytest.fixture
def webhook(django_capture_on_commit_callbacks):
    """Post a signed event like Stripe, process it as the worker would, and run what that queued
    after its commit (the mail task). ``send(payload)`` again is Stripe delivering it again."""

    def send(payload: dict) -> dict:
        with django_capture_on_commit_callbacks() as queued:
            response = post_event(Client(raise_request_exception=False), payload)
        assert response.status_code == 200, response.content
        with django_capture_on_commit_callbacks(execute=True):
            for callback in queued:
                if callback.__name__ == "queue_stripe_event_process":
                    callback()
        return payload

    return send


@pytest.fixture
def subscriber(make_user, stripe_sub, plans):
    """A shopper with a Stripe customer (Stripe answers for it) and a function making their
    subscription in Stripe: monthly, from START to RENEWAL."""

    def make(texts=GERMAN, **fields):
        fields.setdefault("first_name", "Clara")
        user = make_user(
            fields.pop("email", f"abo-{texts['locale']}@example.com"), locale=texts["locale"], **fields
        )
        customer = stripe_sub.customer(user)

        def subscription(status: str = "active", **overrides) -> dict:
            return stripe_sub.hold(
                subscription_object(
                    customer=customer["id"],
                    price=plans.price("month"),
                    status=status,
                    start=START,
                    end=RENEWAL,
                    **overrides,
                )
            )

        return user, subscription

    return make


@pytest.fixture
def beat(django_capture_on_commit_callbacks):
    """The daily "ending soon" run as the worker runs it: its mails go out after its commits."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return ending_soon_notify()

    return run


def invoice_failed(subscription: dict, invoice_id: str | None = None) -> dict:
    return stripe_object(
        "invoice",
        id=invoice_id or new_id("in"),
        subscription=subscription["id"],
        customer=subscription["customer"],
        status="open",
        billing_reason="subscription_cycle",
        amount_due=1900,
        attempted=True,
    )


# ---- Started ------------------------------------------------------------------------------------


@LANGUAGES
@freeze_time("2026-03-14 10:00:00")
def test_a_new_subscription_mails_started_once_in_the_shoppers_language(
    subscriber, stripe_sub, webhook, texts
):
    user, subscription = subscriber(texts)
    sub = subscription()

    created = webhook(event("customer.subscription.created", sub))
    webhook(created)  # Stripe delivers the same event again
    webhook(
        event(
            "invoice.paid",
            stripe_object(
                "invoice", id=new_id("in"), subscription=sub["id"], customer=sub["customer"], status="paid"
            ),
        )
    )
    webhook(event("customer.subscription.updated", sub))  # nothing new

    assert len(mail.outbox) == 1
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == texts["started"]
    body = " ".join(message.body.split())
    assert texts["started_text"].lower() in body.lower()
    assert portal_link(texts["locale"]) in message.body
    assert "http://localhost:4321/account/library" in message.body
    assert portal_link(texts["locale"]) in html_of(message)
    assert SubscriptionNotice.objects.filter(subscription_id=sub["id"], kind="started").count() == 1


@freeze_time("2026-03-14 10:00:00")
def test_a_payment_completed_after_checkout_mails_started_once(subscriber, stripe_sub, webhook):
    _, subscription = subscriber()
    sub = subscription(status="incomplete")
    webhook(event("customer.subscription.created", sub))
    assert mail.outbox == []

    webhook(event("customer.subscription.updated", stripe_sub.change(sub["id"], status="active")))

    assert [message.subject for message in mail.outbox] == [GERMAN["started"]]


@freeze_time("2026-03-14 10:00:00")
def test_a_trial_mails_when_it_ends_and_what_it_costs_then(subscriber, webhook):
    _, subscription = subscriber(ENGLISH)
    sub = subscription(
        status="trialing", trial_start=int(START.timestamp()), trial_end=int(RENEWAL.timestamp())
    )

    webhook(event("customer.subscription.created", sub))

    [message] = mail.outbox
    assert message.subject == "Your Phialo subscription trial has started – Monthly plan"
    assert "runs until 14 April 2026. After that your subscription costs €19.00 a month" in " ".join(
        message.body.split()
    )


# ---- Payment failed -----------------------------------------------------------------------------


@LANGUAGES
def test_a_failed_renewal_mails_the_portal_link_and_until_when_access_continues_once(
    subscriber, stripe_sub, webhook, texts
):
    _, subscription = subscriber(texts)
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    mail.outbox.clear()

    with freeze_time(RENEWAL + timedelta(hours=1)):
        # The renewal's payment failed: a new period, past due while Stripe retries the card.
        stripe_sub.change(
            sub["id"],
            status="past_due",
            current_period_start=int(RENEWAL.timestamp()),
            current_period_end=int(NEXT_RENEWAL.timestamp()),
        )
        invoice = invoice_failed(sub)
        failed = webhook(event("invoice.payment_failed", invoice))
        webhook(failed)  # delivered again
        webhook(event("customer.subscription.updated", stripe_sub.held[sub["id"]]))
    with freeze_time(RENEWAL + timedelta(days=1)):
        webhook(event("invoice.payment_failed", dict(invoice, attempt_count=2)))  # Stripe's retry fails too

    assert len(mail.outbox) == 1
    [message] = mail.outbox
    assert message.subject == texts["failed"]
    body = " ".join(message.body.split())
    assert texts["failed_text"] in body
    assert "19,00 €" in body if texts["locale"] == "de" else "€19.00" in body
    assert portal_link(texts["locale"]) in message.body
    assert portal_link(texts["locale"]) in html_of(message)


@freeze_time("2026-03-14 10:00:00")
def test_a_first_payment_failing_in_checkout_is_not_mailed(subscriber, webhook):
    _, subscription = subscriber()
    sub = subscription(status="incomplete")

    webhook(event("invoice.payment_failed", invoice_failed(sub)))

    assert mail.outbox == []


# ---- Cancelled, ended ---------------------------------------------------------------------------


@LANGUAGES
def test_cancelling_at_the_period_end_mails_until_when_access_lasts_once(
    subscriber, stripe_sub, webhook, texts
):
    _, subscription = subscriber(texts)
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    mail.outbox.clear()

    with freeze_time(START + timedelta(days=5)):
        cancelled = stripe_sub.change(
            sub["id"], cancel_at_period_end=True, canceled_at=int(START.timestamp())
        )
        webhook(event("customer.subscription.updated", cancelled))
        webhook(event("customer.subscription.updated", cancelled))  # a second event, same news
    with freeze_time(RENEWAL + timedelta(seconds=5)):
        # It ends as announced: nothing more to say.
        webhook(event("customer.subscription.deleted", stripe_sub.change(sub["id"], status="canceled")))

    assert len(mail.outbox) == 1
    [message] = mail.outbox
    assert message.subject == texts["cancelled"]
    assert texts["cancelled_text"] in " ".join(message.body.split())
    assert portal_link(texts["locale"]) in message.body


@LANGUAGES
def test_a_subscription_ended_without_notice_mails_that_it_has_ended(subscriber, stripe_sub, webhook, texts):
    _, subscription = subscriber(texts)
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    mail.outbox.clear()

    with freeze_time(START + timedelta(days=5)):
        ended = stripe_sub.change(
            sub["id"], status="canceled", ended_at=int((START + timedelta(days=5)).timestamp())
        )
        deleted = webhook(event("customer.subscription.deleted", ended))
        webhook(deleted)

    [message] = mail.outbox
    assert message.subject == texts["ended"]
    assert portal_link(texts["locale"]) in message.body
    assert SubscriptionNotice.objects.get(subscription_id=sub["id"], kind="cancelled").key == "ended"


def test_resuming_and_cancelling_again_for_the_same_end_mails_once(subscriber, stripe_sub, webhook):
    _, subscription = subscriber()
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    mail.outbox.clear()
    with freeze_time(START + timedelta(days=5)):
        for cancel in (True, False, True):
            webhook(
                event(
                    "customer.subscription.updated", stripe_sub.change(sub["id"], cancel_at_period_end=cancel)
                )
            )

    assert [message.subject for message in mail.outbox] == [GERMAN["cancelled"]]


# ---- Ending soon (beat) -------------------------------------------------------------------------


@LANGUAGES
def test_ending_soon_is_mailed_once_when_access_ends_within_the_days_set(
    subscriber, stripe_sub, webhook, texts, beat
):
    _, subscription = subscriber(texts)
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    with freeze_time(START + timedelta(days=1)):
        webhook(
            event("customer.subscription.updated", stripe_sub.change(sub["id"], cancel_at_period_end=True))
        )
    mail.outbox.clear()

    with freeze_time(RENEWAL - timedelta(days=4)):
        assert beat() == 0  # more than SUBSCRIPTION_ENDING_SOON_DAYS (3) ahead
    with freeze_time(RENEWAL - timedelta(days=3)):
        assert beat() == 1
    with freeze_time(RENEWAL - timedelta(days=2)):
        assert beat() == 0  # the next day's run

    [message] = mail.outbox
    assert message.subject == texts["ending_soon"]
    assert texts["ending_soon_text"] in " ".join(message.body.split())
    assert portal_link(texts["locale"]) in message.body
    assert portal_link(texts["locale"]) in html_of(message)


def test_ending_soon_skips_a_shopper_whose_cancellation_mail_just_said_so(
    subscriber, stripe_sub, webhook, beat
):
    _, subscription = subscriber()
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    mail.outbox.clear()

    with freeze_time(RENEWAL - timedelta(days=2)):
        webhook(
            event("customer.subscription.updated", stripe_sub.change(sub["id"], cancel_at_period_end=True))
        )
        assert beat() == 0

    assert [message.subject for message in mail.outbox] == [GERMAN["cancelled"]]


def test_ending_soon_leaves_running_and_resumed_subscriptions_alone(subscriber, stripe_sub, webhook, beat):
    _, subscription = subscriber()
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    with freeze_time(START + timedelta(days=1)):
        webhook(
            event("customer.subscription.updated", stripe_sub.change(sub["id"], cancel_at_period_end=True))
        )
        webhook(
            event("customer.subscription.updated", stripe_sub.change(sub["id"], cancel_at_period_end=False))
        )
    mail.outbox.clear()

    with freeze_time(RENEWAL - timedelta(days=1)):
        assert beat() == 0

    assert mail.outbox == []


# ---- Nobody to mail, a task run twice ---------------------------------------------------------


@freeze_time("2026-03-14 10:00:00")
def test_a_shopper_without_an_email_address_gets_no_mail(subscriber, webhook):
    user, subscription = subscriber()
    user.email = ""
    user.save(update_fields=["email"])

    sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    webhook(event("invoice.payment_failed", invoice_failed(sub)))

    assert mail.outbox == []
    assert not SubscriptionNotice.objects.exists()


@freeze_time("2026-03-14 10:00:00")
def test_an_account_erased_before_the_mail_goes_out_gets_none(subscriber, django_capture_on_commit_callbacks):
    user, subscription = subscriber()
    sub = subscription()
    with django_capture_on_commit_callbacks() as queued:
        subscription_sync(subscription_id=sub["id"], customer_id=sub["customer"])
    user.email = ""
    user.save(update_fields=["email"])

    for callback in queued:
        callback()

    assert mail.outbox == []


@freeze_time("2026-03-14 10:00:00")
def test_the_mail_task_run_twice_sends_once(subscriber, django_capture_on_commit_callbacks):
    _, subscription = subscriber()
    sub = subscription()
    with django_capture_on_commit_callbacks():
        subscription_sync(subscription_id=sub["id"], customer_id=sub["customer"])
    notice = SubscriptionNotice.objects.get(subscription_id=sub["id"])

    assert subscription_notice_send.delay(notice.pk).get() is True
    assert subscription_notice_send.delay(notice.pk).get() is False  # a redelivered task

    assert len(mail.outbox) == 1


def test_a_subscription_set_to_cancel_on_a_date_is_told_that_date(subscriber, stripe_sub, webhook, beat):
    _, subscription = subscriber(ENGLISH)
    ends = START + timedelta(days=20)
    with freeze_time(START):
        sub = webhook(event("customer.subscription.created", subscription()))["data"]["object"]
    mail.outbox.clear()

    with freeze_time(START + timedelta(days=1)):
        webhook(
            event(
                "customer.subscription.updated", stripe_sub.change(sub["id"], cancel_at=int(ends.timestamp()))
            )
        )
    with freeze_time(ends - timedelta(days=2)):
        assert beat() == 1

    assert [message.subject for message in mail.outbox] == [
        "Your Phialo subscription is cancelled – access until 3 April 2026",
        "Your Phialo subscription ends on 3 April 2026",
    ]
