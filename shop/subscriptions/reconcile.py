"""The daily comparison with Stripe that heals a lost webhook.

Stripe retries a webhook for days, but an event can still be lost (an endpoint misconfigured for
a while, an event type switched off), and then the mirror — and with it access — stays wrong until
the next event about that subscription. Once a day :func:`subscriptions_reconcile` lists what
Stripe holds as running (``active``, ``trialing``, ``past_due``) and compares it with the mirror:

- listed and missing from the mirror: mirrored (``created``);
- listed and different from the mirror in what access depends on: synced (``changed``);
- running in the mirror but not listed: its status changed in Stripe (ended, unpaid, ...): synced.

Syncing goes through :func:`shop.subscriptions.services.subscription_sync`, which locks the
customer and fetches the subscription again, so the list's older copy never overwrites what a
webhook stored meanwhile; the mails the change calls for go out as they would have (each once).
A subscription that fails is reported and the rest go on. Nothing is written when nothing differs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from djstripe.models import Subscription

from shop.payments import stripe_gateway
from shop.subscriptions import services
from shop.subscriptions.state import ACTIVE, PAST_DUE, SubscriptionState

logger = logging.getLogger(__name__)

RUNNING = (*ACTIVE, PAST_DUE)


@dataclass
class ReconcileReport:
    checked: int = 0
    created: list[str] = field(default_factory=list)
    # subscription id -> {fact: (before, after)}
    changed: dict[str, dict[str, tuple]] = field(default_factory=dict)
    # subscription id (or ``list`` when Stripe could not be listed) -> the error
    failed: dict[str, str] = field(default_factory=dict)
    # Why nothing was compared (no Stripe configured), else empty.
    skipped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "created": list(self.created),
            "changed": {
                sub_id: {name: list(values) for name, values in facts.items()}
                for sub_id, facts in self.changed.items()
            },
            "failed": dict(self.failed),
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        if self.skipped:
            return f"Subscriptions not reconciled: {self.skipped}"
        return (
            f"Subscriptions reconciled: {self.checked} checked, {len(self.created)} created, "
            f"{len(self.changed)} changed, {len(self.failed)} failed."
        )


def _stripe_running() -> dict[str, dict]:
    listed: dict[str, dict] = {}
    for status in RUNNING:
        for data in stripe_gateway.subscriptions_list(status=status):
            listed[data["id"]] = data
    return listed


def _mirrored(listed_ids) -> dict[str, tuple[SubscriptionState, str]]:
    """The mirror's view of every listed subscription and of every one it holds as running:
    id -> (state, customer id), one query."""
    rows = Subscription.objects.filter(livemode=settings.STRIPE_LIVE_MODE).filter(
        id__in=list(listed_ids)
    ) | Subscription.objects.filter(livemode=settings.STRIPE_LIVE_MODE, stripe_data__status__in=list(RUNNING))
    return {
        sub_id: (SubscriptionState.from_stripe(data), customer_id)
        for sub_id, data, customer_id in rows.values_list("id", "stripe_data", "customer_id")
    }


def _sync(report: ReconcileReport, subscription_id: str, customer_id: str) -> None:
    try:
        result = services.subscription_sync(subscription_id=subscription_id, customer_id=customer_id)
    except Exception as error:  # one subscription must not stop the others
        logger.warning("Subscription %s could not be reconciled", subscription_id, exc_info=True)
        report.failed[subscription_id] = f"{type(error).__name__}: {error}"
        return
    if result.before is None:
        report.created.append(subscription_id)
    elif changes := result.changes:
        report.changed[subscription_id] = changes


def subscriptions_reconcile() -> ReconcileReport:
    """Compare Stripe's running subscriptions with the mirror and sync those that differ."""
    report = ReconcileReport()
    if not settings.STRIPE_SECRET_KEY:
        report.skipped = "no STRIPE_SECRET_KEY (the local demo's mirror is its own truth)."
        logger.info(report.summary())
        return report
    try:
        listed = _stripe_running()
    except Exception as error:  # without the full list, absence from it means nothing
        logger.exception("Subscriptions not reconciled: Stripe could not list them")
        report.failed["list"] = f"{type(error).__name__}: {error}"
        return report
    mirror = _mirrored(listed)
    for subscription_id, data in listed.items():
        report.checked += 1
        mirrored = mirror.get(subscription_id)
        if mirrored is None or mirrored[0] != SubscriptionState.from_stripe(data):
            _sync(report, subscription_id, stripe_gateway.object_id(data.get("customer")))
    for subscription_id, (state, customer_id) in mirror.items():
        if subscription_id not in listed and state.status in RUNNING:
            report.checked += 1
            _sync(report, subscription_id, customer_id)
    _log(report)
    return report


def _log(report: ReconcileReport) -> None:
    if report.failed:
        level = logging.ERROR
    elif report.created or report.changed:
        level = logging.WARNING  # the mirror was wrong: a webhook was lost
    else:
        level = logging.INFO
    logger.log(level, report.summary())
    for subscription_id in report.created:
        logger.log(level, "Subscription %s was missing from the mirror; mirrored.", subscription_id)
    for subscription_id, changes in report.changed.items():
        logger.log(level, "Subscription %s was out of date: %s", subscription_id, changes)
    for subscription_id, error in report.failed.items():
        logger.log(level, "Subscription %s failed: %s", subscription_id, error)
