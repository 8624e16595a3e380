"""``POST /stripe/webhook/``: Stripe's only door into the project.

The signature is verified against ``STRIPE_WEBHOOK_SECRET`` with a 300 s tolerance before
anything else. Event processing arrives with the shop issue; until then a verified event is
answered 503 so that Stripe keeps it and retries, rather than losing it to a 200.
"""

import stripe
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.errors import error_body


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
    except ValueError:
        return JsonResponse(error_body("invalid_payload", "The body is not a Stripe event."), status=400)
    except stripe.SignatureVerificationError:
        return JsonResponse(
            error_body("invalid_signature", "The Stripe signature does not verify."),
            status=400,
        )
    return JsonResponse(
        error_body("not_processing_yet", "Events are not processed yet; Stripe will retry."),
        status=503,
    )
