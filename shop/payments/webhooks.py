"""``POST /stripe/webhook/``: Stripe's only door into the project.

The signature is verified against ``STRIPE_WEBHOOK_SECRET`` with a 300 s tolerance before
anything else; an event that fails is answered 400 and nothing is stored. A verified event is
stored once (``shop.payments.stripe_events.event_store``) and answered 200 at once: the work runs in Celery
after the commit (``shop.payments.tasks``), so Stripe never waits on it and never retries because of it.
"""

from __future__ import annotations

import json

import stripe
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import error_body
from shop.payments.stripe_events import event_store
from shop.payments.tasks import stripe_event_mirror, stripe_event_process


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse(
            error_body("webhook_not_configured", "STRIPE_WEBHOOK_SECRET is not set."),
            status=503,
        )
    try:
        stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse(error_body("invalid_payload", "The body is not a Stripe event."), status=400)
    except stripe.SignatureVerificationError:
        return JsonResponse(
            error_body("invalid_signature", "The Stripe signature does not verify."),
            status=400,
        )
    if not isinstance(payload, dict) or not payload.get("id") or not isinstance(payload.get("data"), dict):
        return JsonResponse(error_body("invalid_payload", "The body is not a Stripe event."), status=400)

    with transaction.atomic():
        event, stored = event_store(payload=payload)
        if event.processed_at is None:
            # robust: a failure to queue (or, without a worker, to process) is logged and the
            # event stays stored for the beat task; Stripe has its 200 either way.
            transaction.on_commit(_queue(stripe_event_process, event.pk), robust=True)
        if stored:
            transaction.on_commit(_queue(stripe_event_mirror, event.pk), robust=True)
    return JsonResponse({"received": True, "id": event.pk})


def _queue(task, event_id: str):
    def queue() -> None:
        task.delay(event_id)

    queue.__qualname__ = queue.__name__ = f"queue_{task.__name__}"  # named in logs (and tests)
    return queue
