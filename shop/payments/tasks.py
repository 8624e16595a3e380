"""The Stripe events' Celery tasks. Each takes ids, calls one service, owns its retries and is safe to run
twice; they are queued after the transaction that made their work commits."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from shop.models import StripeEvent
from shop.payments import stripe_events

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> int:
    return min(30 * 2**retries, 60 * 60)


@shared_task(bind=True, acks_late=True, max_retries=None)
def stripe_event_process(self, event_id: str) -> bool:
    """Apply a stored webhook event to its order (``shop.payments.stripe_events.event_process``).

    A failure is recorded on the event and retried with growing pauses until
    ``STRIPE_EVENT_MAX_ATTEMPTS``; then the event waits for staff (its ``error`` says why). Without
    a worker (eager mode) there is nobody to retry later: the error is raised to the caller.
    """
    try:
        return stripe_events.event_process(event_id=event_id)
    except Exception as error:
        attempts = stripe_events.event_failure_record(event_id=event_id, error=error)
        logger.exception("Stripe event %s failed (attempt %s)", event_id, attempts)
        if self.request.is_eager or attempts >= settings.STRIPE_EVENT_MAX_ATTEMPTS:
            raise
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error


@shared_task(acks_late=True)
def stripe_events_requeue() -> int:
    """Beat, every minute: queue again the events left unprocessed (a lost task, a broker that was
    down when the webhook answered, a failure whose retry was lost)."""
    due = stripe_events.events_due_again(
        older_than_seconds=settings.STRIPE_EVENT_REQUEUE_AFTER_SECONDS,
        max_attempts=settings.STRIPE_EVENT_MAX_ATTEMPTS,
    )
    for event_id in due:
        stripe_event_process.delay(event_id)
    return len(due)


@shared_task(bind=True, acks_late=True, max_retries=5)
def stripe_event_mirror(self, event_id: str) -> None:
    """Hand a stored event to dj-stripe, which mirrors Stripe's objects (subscriptions read the
    mirror). Apart from order processing, so a failure here never holds up an order; dj-stripe
    skips an event it already has, so running twice is harmless. Subscriptions are mirrored by
    ``shop.subscriptions.services`` alone (one writer, so an old fetch never lands last)."""
    from djstripe.models import Event

    from shop.subscriptions.services import MIRRORED_HERE

    if not settings.STRIPE_SECRET_KEY:
        return
    payload = StripeEvent.objects.filter(pk=event_id).values_list("payload", flat=True).first()
    if payload is None or payload.get("type") in MIRRORED_HERE:
        return
    try:
        Event.process(data=payload)
    except Exception as error:
        logger.warning("dj-stripe could not mirror Stripe event %s: %s", event_id, error)
        if self.request.is_eager:
            raise
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
