"""Stripe at its HTTP boundary, for the tests and the shop benchmark (``bench/shop.py``).

Objects come from Stripe's published fixtures (``stripe_fakes/fixtures3.json``) with only the
fields a test cares about overridden; webhook events are signed the way Stripe signs them
(``Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "{t}.{payload}">``) and go through the
production view. Stripe's API is answered by ``responses``, which intercepts ``requests`` (the
HTTP client stripe-python uses); an unanswered call fails the request like a network error.

Not a test module and not a Django app: a plain package beside the apps, so the benchmark need
not import ``tests``. No app imports it (``tests/core/test_import_direction.py``).

Fixtures to import into a test module: ``stripe_keys`` (test keys configured), ``stripe_api``
(a :class:`FakeStripe` answering Stripe's API), ``deliver`` (post a signed event and run the
processing the webhook queues after its commit, as a worker would), ``sent`` (the shop's signals).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import responses
import stripe

FIXTURES = Path(__file__).resolve().parent / "fixtures3.json"
API = "https://api.stripe.com"
SECRET_KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
WEBHOOK_SECRET = "whsec_test_" + "0123456789abcdef0123456789abcdef"

_ids = itertools.count(1)


@cache
def _resources() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]


def new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):06d}{int(time.time() * 1000) % 10**8:08d}"


def stripe_object(resource: str, **overrides: Any) -> dict[str, Any]:
    """Stripe's example ``resource`` (e.g. ``"checkout.session"``) with ``overrides`` applied."""
    obj = copy.deepcopy(_resources()[resource])
    obj.update(overrides)
    return obj


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, **overrides: Any
) -> dict[str, Any]:
    """A Stripe event of ``event_type`` about ``obj``, as Stripe would post it."""
    return stripe_object(
        "event",
        id=new_id("evt"),
        type=event_type,
        created=created or int(time.time()),
        api_version="2024-04-10",
        data={"object": obj},
        **overrides,
    )


def session_object(checkout, **overrides: Any) -> dict[str, Any]:
    """The Stripe Checkout Session behind one of our checkouts, completed and paid."""
    order = checkout.order
    cents = int(order.total_incl_tax * 100)
    fields = {
        "id": checkout.stripe_session_id,
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": cents,
        "amount_subtotal": cents,
        "currency": "eur",
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number},
        "payment_intent": checkout.stripe_payment_intent_id or new_id("pi"),
        "customer_email": order.email,
    }
    fields.update(overrides)
    return stripe_object("checkout.session", **fields)


def charge_object(
    *, payment_intent: str, amount: int, amount_refunded: int, **overrides: Any
) -> dict[str, Any]:
    """A charge as ``charge.refunded`` carries it at our API version: without embedded refunds."""
    charge = stripe_object(
        "charge",
        id=new_id("ch"),
        payment_intent=payment_intent,
        amount=amount,
        amount_captured=amount,
        amount_refunded=amount_refunded,
        refunded=amount_refunded >= amount,
        currency="eur",
        **overrides,
    )
    charge.pop("refunds", None)
    return charge


def refund_object(
    *, charge: str, amount: int, metadata: dict | None = None, **overrides: Any
) -> dict[str, Any]:
    return stripe_object(
        "refund",
        id=new_id("re"),
        charge=charge,
        amount=amount,
        currency="eur",
        status="succeeded",
        metadata=metadata or {},
        **overrides,
    )


def signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post_event(client, payload: dict[str, Any], **sign: Any):
    """Deliver ``payload`` to the webhook, signed (``secret=``, ``timestamp=`` to get it wrong)."""
    body = json.dumps(payload).encode()
    return client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body, **sign),
    )


def form(request) -> dict[str, str]:
    """The form-encoded body stripe-python sent (``line_items[0][quantity]`` → ``"1"``)."""
    body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
    return dict(parse_qsl(body, keep_blank_values=True))


class FakeStripe:
    """Stripe's API for one test: answers registered per endpoint, requests recorded."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock

    @property
    def calls(self) -> list:
        return list(self.mock.calls)

    def calls_to(self, method: str, path: str) -> list:
        return [
            call
            for call in self.mock.calls
            if call.request.method == method and call.request.url.split("?")[0] == f"{API}{path}"
        ]

    def refunds_list(self, *refunds: dict[str, Any]) -> None:
        """Answer ``GET /v1/refunds?charge=...`` with ``refunds``."""
        self.on(
            "GET",
            "/v1/refunds",
            {"object": "list", "url": "/v1/refunds", "has_more": False, "data": list(refunds)},
        )

    def on(self, method: str, path: str, body: dict | Exception, status: int = 200) -> None:
        if isinstance(body, Exception):
            self.mock.add(method, f"{API}{path}", body=body)
        else:
            self.mock.add(method, f"{API}{path}", json=body, status=status)

    def now(self, method: str, path: str, body: dict, status: int = 200) -> None:
        """From now on answer ``path`` with ``body`` (what Stripe holds has changed)."""
        self.mock.upsert(method, f"{API}{path}", json=body, status=status)

    def sessions_create(self) -> None:
        """Answer session creation with a session made from what was asked, like Stripe does."""
        if getattr(self, "_answers_sessions", False):
            return
        self._answers_sessions = True

        def create(request):
            sent = form(request)
            session = stripe_object(
                "checkout.session",
                id=new_id("cs"),
                url=f"https://checkout.stripe.com/c/pay/{new_id('cs')}",
                status="open",
                payment_status="unpaid",
                payment_intent=None,
                client_reference_id=sent.get("client_reference_id"),
                customer_email=sent.get("customer_email"),
                locale=sent.get("locale"),
                expires_at=int(sent["expires_at"]),
                metadata={
                    key[len("metadata[") : -1]: value
                    for key, value in sent.items()
                    if key.startswith("metadata[")
                },
            )
            return 200, {}, json.dumps(session)

        self.mock.add_callback(responses.POST, f"{API}/v1/checkout/sessions", callback=create)


@pytest.fixture
def stripe_keys(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    # A refused connection fails at once, in our client and in dj-stripe's (stripe's global default).
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    return settings


@pytest.fixture
def stripe_api(stripe_keys):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeStripe(mock)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Post a signed event like Stripe and run what the webhook queued after its commit, as the
    worker would. dj-stripe's mirror is left out unless ``mirror=True`` (it calls Stripe)."""
    from django.test import Client

    def send(payload: dict[str, Any], *, mirror: bool = False, **sign: Any):
        with django_capture_on_commit_callbacks() as callbacks:
            response = post_event(Client(raise_request_exception=False), payload, **sign)
        for callback in callbacks:
            if mirror or callback.__name__ != "queue_stripe_event_mirror":
                callback()
        return response

    return send


@pytest.fixture
def sent():
    """What the shop told the rest of the project: signal name → the keyword arguments of each send
    (from any thread)."""
    from shop import signals

    received: dict[str, list[dict]] = defaultdict(list)

    def recorder(name: str):
        return lambda sender, **kwargs: received[name].append(kwargs)

    handlers = {
        name: recorder(name) for name in ("order_paid", "order_cancelled", "order_refunded", "order_disputed")
    }
    for name, handler in handlers.items():
        getattr(signals, name).connect(handler)
    yield received
    for name, handler in handlers.items():
        getattr(signals, name).disconnect(handler)
