"""The subscription e-mails, each sent once: started, payment failed, cancelled (or ended), ending soon.

What decides that a mail is due is a :class:`~shop.models.SubscriptionNotice` row, unique per
subscription, kind and key (the failed invoice, the moment access ends, ``ended``): it is inserted
in the transaction that learnt the news — the mirror's sync, for :func:`subscription_changed` and
:func:`payment_failed`, or the daily beat, for :func:`ending_soon_notify` — and that transaction
queues the mail for after its commit. A second delivery of an event, a reconciliation finding what
a webhook already told, a second beat run: each finds the row there and queues nothing; a sync
that rolls back leaves no row and sends nothing. The Celery task
(``shop.subscriptions.tasks.subscription_notice_send``) renders and sends the mail from the row
and the mirror as they are then, and guards against its own second run like the shop's dispute
mail (``shop.documents.notifications``).

Mails are in the shopper's language (``core.locale.person_language``), dates in their time zone,
amounts from the plan (Stripe's price). A shopper without an e-mail address (an erased account)
gets none.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from djstripe.models import Subscription

from core.locale import format_date, person_language
from core.money import format_money
from core.tasks import enqueue
from shop.documents.notifications import _message, library_url
from shop.models import SubscriptionNotice
from shop.subscriptions.plans import plans_by_price
from shop.subscriptions.state import ACTIVE, PAST_DUE, SubscriptionState, return_url, subscription_state

logger = logging.getLogger(__name__)

Kind = SubscriptionNotice.Kind
# The key of the mail for a subscription that ended without having been set to cancel first.
ENDED = "ended"
# Statuses a subscription ending now can come from (``incomplete`` never started).
WAS_RUNNING = (*ACTIVE, PAST_DUE, "unpaid", "paused")
# A first payment fails inside Stripe Checkout, which tells the shopper there and then.
NO_PAYMENT_MAIL = ("incomplete", "incomplete_expired")
# Stripe ends a subscription set to cancel at (or just after) the announced moment; only an end
# clearly before it is news.
EARLY_END_MARGIN = timedelta(hours=1)
# How long a sent mail is remembered against a second run of its task (a lost acknowledgement).
SENT_MEMORY_SECONDS = 30 * 24 * 60 * 60


# ---- Deciding and queueing (inside the transaction that learnt the news) -------------------------


def _moment_key(moment: datetime) -> str:
    return moment.isoformat()


def _ends_at(state: SubscriptionState) -> datetime | None:
    """When a subscription set to cancel ends: ``cancel_at``, else its period's end."""
    return state.cancel_at or state.period_end


def _due(before: SubscriptionState | None, after: SubscriptionState) -> list[tuple[str, str]]:
    """The notices a change of the mirror from ``before`` to ``after`` calls for: (kind, key)."""
    due = []
    # Started: into active/trialing, but not back from past due (that is a recovered payment).
    if after.status in ACTIVE and (before is None or before.status not in (*ACTIVE, PAST_DUE, "unpaid")):
        due.append((Kind.STARTED, ""))
    # Set to cancel: access until the period ends.
    was_set = before is not None and before.ends_at_period_end
    if after.status in (*ACTIVE, PAST_DUE) and after.ends_at_period_end and not was_set:
        ends = _ends_at(after)
        if ends is not None:
            due.append((Kind.CANCELLED, _moment_key(ends)))
    # Ended without notice, or clearly before the end announced when it was set to cancel.
    if after.status == "canceled" and before is not None and before.status in WAS_RUNNING:
        announced = _ends_at(before) if was_set else None
        if announced is None or timezone.now() < announced - EARLY_END_MARGIN:
            due.append((Kind.CANCELLED, ENDED))
    return due


def _email_of(user_id: int | None) -> str:
    if user_id is None:
        return ""
    return get_user_model().objects.filter(pk=user_id).values_list("email", flat=True).first() or ""


def notice_queue(*, user_id: int, subscription_id: str, kind: str, key: str) -> bool:
    """Record that ``kind`` (about ``key``) is sent for the subscription and queue its mail for
    after the commit; ``False`` when it was recorded before or the shopper has no e-mail address."""
    if not _email_of(user_id):
        return False
    try:
        with transaction.atomic():
            notice = SubscriptionNotice.objects.create(
                subscription_id=subscription_id, kind=kind, key=key, user_id=user_id
            )
    except IntegrityError:  # recorded by an earlier event, run or reconciliation
        return False
    enqueue("shop.subscriptions.tasks.subscription_notice_send", notice.pk)
    return True


def subscription_changed(*, user_id, before: SubscriptionState | None, after: SubscriptionState) -> None:
    """The mirror changed from ``before`` to ``after`` (inside the sync's transaction)."""
    for kind, key in _due(before, after):
        notice_queue(user_id=user_id, subscription_id=after.id, kind=kind, key=key)


def payment_failed(*, user_id, subscription_id: str, invoice_id: str) -> None:
    """Stripe could not collect ``invoice_id``: once per invoice, however often the card is retried."""
    state = subscription_state(subscription_id)
    if state is None or state.status in NO_PAYMENT_MAIL:
        return
    notice_queue(user_id=user_id, subscription_id=subscription_id, kind=Kind.PAYMENT_FAILED, key=invoice_id)


def ending_soon_notify(now: datetime | None = None) -> int:
    """Beat, daily: tell each subscriber whose subscription is set to cancel and whose access ends
    within ``SUBSCRIPTION_ENDING_SOON_DAYS``; returns how many mails were queued. A shopper told
    of the cancellation inside that window already is not told again."""
    now = now or timezone.now()
    window = timedelta(days=settings.SUBSCRIPTION_ENDING_SOON_DAYS)
    rows = (
        Subscription.objects.filter(livemode=settings.STRIPE_LIVE_MODE, stripe_data__status__in=list(ACTIVE))
        .filter(Q(stripe_data__cancel_at_period_end=True) | Q(stripe_data__cancel_at__gt=0))
        .values_list("stripe_data", "customer__subscriber_id")
    )
    ending = []
    for data, user_id in rows:
        state = SubscriptionState.from_stripe(data)
        ends = _ends_at(state) if state.ends_at_period_end else None  # the query only narrows
        if user_id is not None and ends is not None and now < ends <= now + window:
            ending.append((state.id, _moment_key(ends), ends, user_id))
    told = set(
        SubscriptionNotice.objects.filter(
            kind=Kind.CANCELLED, subscription_id__in=[sub_id for sub_id, *_ in ending]
        ).values_list("subscription_id", "key", "sent_at")
    )
    queued = 0
    for subscription_id, key, ends, user_id in ending:
        if any(s == subscription_id and k == key and at >= ends - window for s, k, at in told):
            continue
        with transaction.atomic():
            queued += notice_queue(
                user_id=user_id, subscription_id=subscription_id, kind=Kind.ENDING_SOON, key=key
            )
    logger.info("Subscriptions ending soon: %s mail(s) queued.", queued)
    return queued


# ---- Sending (the Celery task) ---------------------------------------------------------------


def _zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _day(moment: datetime | None, zone: ZoneInfo, language: str) -> str:
    return format_date(timezone.localtime(moment, zone).date().isoformat(), language) if moment else ""


def notice_context(notice: SubscriptionNotice, user, language: str) -> dict[str, Any]:
    """What a subscription mail says, from the mirror as it is now, formatted in ``language``."""
    state = subscription_state(notice.subscription_id)
    plan = plans_by_price([state.price_id], language).get(state.price_id) if state else None
    zone = _zone(user)
    until = state.access_until() if state else None
    if notice.kind in (Kind.CANCELLED, Kind.ENDING_SOON) and notice.key != ENDED:
        # The end this mail was decided on; earlier when past due (the grace ends first).
        decided = datetime.fromisoformat(notice.key)
        until = min(decided, until) if until is not None else decided
    return {
        "first_name": user.first_name,
        "plan_name": plan.name if plan else "",
        "amount": format_money(plan.amount, language) if plan else "",
        "yearly": plan is not None and plan.interval == "year",
        "trial": state is not None and state.status == "trialing",
        "renews_on": _day(state.period_end, zone, language) if state else "",
        "access_until": _day(until, zone, language),
        "has_access": until is not None and timezone.now() < until,
        "ended": notice.key == ENDED,
        "subscription_url": return_url(language),
        "library_url": library_url(),
        "seller_name": settings.SHOP_SELLER_NAME,
    }


def notice_email_send(*, notice_id: int) -> bool:
    """Send the mail ``notice_id`` records; ``False`` when there is nobody to send it to or a
    previous run of the task sent it."""
    notice = SubscriptionNotice.objects.select_related("user").filter(pk=notice_id).first()
    user = notice.user if notice is not None else None
    if user is None or not user.email:
        return False  # the account was erased since
    sent = f"shop:subscription-notice:{notice.pk}"
    if not cache.add(sent, True, timeout=SENT_MEMORY_SECONDS):
        return False
    language = person_language(user)
    try:
        _message(
            f"subscription_{notice.kind}", language, notice_context(notice, user, language), [user.email]
        ).send()
    except BaseException:
        cache.delete(sent)  # not sent: the retry must send it
        raise
    return True
