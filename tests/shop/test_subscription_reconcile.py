"""The daily reconciliation: a webhook Stripe never delivered (or we lost) is healed from Stripe's
list, access is right again, and the report names what changed. A failure of one subscription
does not stop the rest; when nothing differs nothing is written. Stripe is answered at its HTTP
boundary; time is frozen."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

import stripe_fakes
from shop.access.selectors import may_watch
from shop.subscriptions.reconcile import subscriptions_reconcile
from shop.subscriptions.services import subscription_sync
from shop.subscriptions.state import subscription_state
from shop.subscriptions.tasks import subscriptions_reconcile as subscriptions_reconcile_task
from tests.shop import subscription_fakes
from tests.shop.subscription_fakes import subscription_object, ts

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
WRITES = ("INSERT", "UPDATE", "DELETE")


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def subscribed(make_user, stripe_sub, plans, django_capture_on_commit_callbacks):
    """A shopper whose monthly subscription (START to RENEWAL, or as ``fields`` say) Stripe holds
    and, unless ``mirrored=False``, the mirror too: as a delivered webhook would have left it."""
    made = iter(range(1, 100))

    def make(*, mirrored: bool = True, **fields):
        user = make_user(f"abo{next(made)}@example.com", locale="de")
        customer = stripe_sub.customer(user)
        sub = stripe_sub.hold(
            subscription_object(
                customer=customer["id"],
                price=plans.price("month"),
                status=fields.pop("status", "active"),
                start=START,
                end=RENEWAL,
                **fields,
            )
        )
        if mirrored:
            with freeze_time(START), django_capture_on_commit_callbacks(execute=True):
                subscription_sync(subscription_id=sub["id"], customer_id=sub["customer"])
        return user, sub

    return make


@pytest.fixture
def reconcile(django_capture_on_commit_callbacks):
    """The daily run, and the mails it queues after its commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return subscriptions_reconcile()

    return run


# What Stripe holds after a change whose webhook was lost, when we look, whether the mirror gives
# access before and after reconciling, and what the report says changed.
DROPPED = {
    "cancelled": (
        {},
        {"status": "canceled", "ended_at": ts(START + timedelta(days=5)), "canceled_at": ts(START)},
        START + timedelta(days=5),
        (True, False),
        {"status": ("active", "canceled")},
    ),
    "set_to_cancel_at_period_end": (
        {},
        {"cancel_at_period_end": True},
        RENEWAL + timedelta(hours=1),  # the mirror would give the renewal's grace, Stripe none
        (True, False),
        {"cancel_at_period_end": (False, True)},
    ),
    "past_due_then_unpaid": (
        {},
        {"status": "unpaid", "current_period_start": ts(RENEWAL), "current_period_end": ts(NEXT_RENEWAL)},
        RENEWAL + timedelta(days=1),
        (True, False),
        {"status": ("active", "unpaid"), "current_period_end": (iso(RENEWAL), iso(NEXT_RENEWAL))},
    ),
    "renewed": (
        {},
        {"current_period_start": ts(RENEWAL), "current_period_end": ts(NEXT_RENEWAL)},
        RENEWAL + timedelta(days=4),  # past the grace a late renewal webhook gets
        (False, True),
        {"current_period_end": (iso(RENEWAL), iso(NEXT_RENEWAL))},
    ),
    "paid_after_past_due": (
        {"status": "past_due", "current_period_start": ts(RENEWAL), "current_period_end": ts(NEXT_RENEWAL)},
        {"status": "active"},
        RENEWAL + timedelta(days=4),
        (False, True),
        {"status": ("past_due", "active")},
    ),
}


@pytest.mark.parametrize(("initial", "dropped", "moment", "access", "changes"), DROPPED.values(), ids=DROPPED)
def test_reconciliation_restores_the_right_state_after_a_dropped_webhook(
    shop_catalog, subscribed, stripe_sub, reconcile, caplog, initial, dropped, moment, access, changes
):
    user, sub = subscribed(**initial)
    video = shop_catalog.videos[0]
    stripe_sub.change(sub["id"], **dropped)  # no webhook arrives

    with freeze_time(moment):
        assert may_watch(user, video) is access[0]
        with caplog.at_level(logging.INFO, logger="shop.subscriptions.reconcile"):
            report = reconcile()
        assert may_watch(user, video) is access[1]

    assert report.changed == {sub["id"]: changes}
    assert report.created == [] and report.failed == {}
    assert report.checked >= 1
    assert subscription_state(sub["id"]) is not None
    assert any(r.levelno == logging.WARNING and "1 changed" in r.getMessage() for r in caplog.records)


def test_a_dropped_cancellation_is_told_to_the_shopper_once(subscribed, stripe_sub, reconcile):
    _, sub = subscribed()
    mail.outbox.clear()
    stripe_sub.change(sub["id"], status="canceled", ended_at=ts(START + timedelta(days=5)))

    with freeze_time(START + timedelta(days=5)):
        reconcile()
        reconcile()

    assert [message.subject for message in mail.outbox] == ["Dein Phialo-Abo ist beendet"]


def test_a_subscription_missing_from_the_mirror_is_created(shop_catalog, subscribed, reconcile):
    user, sub = subscribed(mirrored=False)

    with freeze_time(START + timedelta(days=1)):
        assert not may_watch(user, shop_catalog.videos[0])
        report = reconcile()
        assert may_watch(user, shop_catalog.videos[0])
        again = reconcile()

    assert report.created == [sub["id"]]
    assert report.changed == {} and report.failed == {}
    assert again.created == [] and again.changed == {}
    assert [message.subject for message in mail.outbox] == ["Willkommen im Phialo-Abo – Monatsabo"]


def test_a_stripe_failure_for_one_subscription_is_reported_and_the_rest_reconciled(
    shop_catalog, subscribed, stripe_sub, stripe_api, reconcile
):
    (unlucky, broken), (lucky, healed) = subscribed(), subscribed()
    for sub in (broken, healed):
        stripe_sub.change(sub["id"], status="canceled", ended_at=ts(START + timedelta(days=5)))
    stripe_api.now(
        "GET",
        f"/v1/subscriptions/{broken['id']}",
        {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
        status=500,
    )

    with freeze_time(START + timedelta(days=5)):
        report = reconcile()
        assert not may_watch(lucky, shop_catalog.videos[0])
        assert may_watch(unlucky, shop_catalog.videos[0])  # unchanged until the next run heals it

    assert list(report.failed) == [broken["id"]]
    assert "Something went wrong on Stripe's end." in report.failed[broken["id"]]
    assert report.changed == {healed["id"]: {"status": ("active", "canceled")}}


def test_a_listing_older_than_the_mirror_does_not_overwrite_it(subscribed, stripe_sub, stripe_api, reconcile):
    """Stripe's list was taken before a webhook stored a cancellation: reconciling fetches again."""
    _, sub = subscribed()
    newer = dict(stripe_sub.held[sub["id"]], cancel_at_period_end=True)
    stripe_api.now("GET", f"/v1/subscriptions/{sub['id']}", newer)  # Stripe now; the list still old
    with freeze_time(START + timedelta(days=1)):
        subscription_sync(subscription_id=sub["id"], customer_id=sub["customer"])  # the webhook

        report = reconcile()

    assert subscription_state(sub["id"]).cancel_at_period_end is True
    assert report.changed == {} and report.failed == {}


def test_nothing_changed_gives_an_empty_report_and_writes_nothing(subscribed, stripe_api, reconcile, caplog):
    subscribed()
    subscribed(status="past_due")
    subscribed(status="trialing")
    retrieves_before = len([c for c in stripe_api.calls if "/v1/subscriptions/sub_" in c.request.url])

    with (
        freeze_time(START + timedelta(days=1)),
        CaptureQueriesContext(connection) as queries,
        caplog.at_level(logging.INFO, logger="shop.subscriptions.reconcile"),
    ):
        report = reconcile()

    assert report.as_dict() == {"checked": 3, "created": [], "changed": {}, "failed": {}, "skipped": ""}
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert len([c for c in stripe_api.calls if "/v1/subscriptions/sub_" in c.request.url]) == retrieves_before
    assert [
        (r.levelno, r.getMessage()) for r in caplog.records if r.name == "shop.subscriptions.reconcile"
    ] == [(logging.INFO, "Subscriptions reconciled: 3 checked, 0 created, 0 changed, 0 failed.")]


def test_without_stripe_reconciliation_does_nothing_and_says_so(subscribed, stripe_api, settings, reconcile):
    subscribed()
    calls = len(stripe_api.calls)
    settings.STRIPE_SECRET_KEY = ""

    report = reconcile()

    assert report.skipped and "STRIPE_SECRET_KEY" in report.skipped
    assert report.checked == 0
    assert len(stripe_api.calls) == calls


def test_stripe_unreachable_for_the_list_is_reported_and_nothing_is_synced(stripe_api, subscribed, reconcile):
    _, sub = subscribed()
    stripe_api.mock.replace(
        "GET",
        f"{stripe_fakes.API}/v1/subscriptions",
        json={"error": {"type": "api_error", "message": "Stripe is down."}},
        status=500,
    )

    report = reconcile()

    assert list(report.failed) == ["list"] and report.checked == 0
    assert subscription_state(sub["id"]).status == "active"


@freeze_time(START + timedelta(days=5))
def test_the_daily_task_returns_the_report(subscribed, stripe_sub, django_capture_on_commit_callbacks):
    _, sub = subscribed()
    stripe_sub.change(sub["id"], status="canceled")

    with django_capture_on_commit_callbacks(execute=True):
        result = subscriptions_reconcile_task.delay().get()

    assert result["changed"] == {sub["id"]: {"status": ["active", "canceled"]}}
    assert result["checked"] == 1


@freeze_time(START + timedelta(days=5))
def test_the_command_prints_the_report(subscribed, stripe_sub, stripe_api):
    (_, healed), (_, broken) = subscribed(), subscribed()
    stripe_sub.change(healed["id"], status="canceled")
    stripe_sub.change(broken["id"], status="canceled")
    stripe_api.now("GET", f"/v1/subscriptions/{broken['id']}", {"error": {"message": "Nope."}}, status=500)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 could not be reconciled"):
        call_command("subscriptions_reconcile", stdout=out, stderr=err)

    assert "Subscriptions reconciled: 2 checked, 0 created, 1 changed, 1 failed." in out.getvalue()
    assert f"changed  {healed['id']}  status: 'active' → 'canceled'" in out.getvalue()
    assert broken["id"] in err.getvalue() and "Nope." in err.getvalue()


def test_the_beat_tasks_are_known_to_the_worker():
    """A worker imports the apps' ``tasks`` modules only; the beat names these tasks."""
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test');"
        "django.setup(); from config.celery_app import app; app.loader.import_default_modules();"
        "from django.conf import settings;"
        "names = [entry['task'] for entry in settings.CELERY_BEAT_SCHEDULE.values()];"
        "print(sorted(name for name in names if name not in app.tasks))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # a fresh process: this one has imported everything already
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
