"""The subscriptions' Celery tasks: the daily reconciliation with Stripe and the "ending soon"
mails (both beat, ``CELERY_BEAT_SCHEDULE`` in the settings), and sending one subscription mail.
Each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.tasks import MAIL_TASK_OPTIONS
from shop.subscriptions import notices, reconcile


@shared_task(acks_late=True)
def subscriptions_reconcile() -> dict:
    """Beat, daily: heal what lost webhooks left wrong in the mirror; returns the report."""
    return reconcile.subscriptions_reconcile().as_dict()


@shared_task(acks_late=True)
def subscriptions_ending_soon_notify() -> int:
    """Beat, daily: tell subscribers whose cancelled subscription ends soon; returns how many."""
    return notices.ending_soon_notify()


@shared_task(**MAIL_TASK_OPTIONS)
def subscription_notice_send(self, notice_id: int) -> bool:
    """Send the subscription mail a :class:`~shop.models.SubscriptionNotice` records (once)."""
    return notices.notice_email_send(notice_id=notice_id)
