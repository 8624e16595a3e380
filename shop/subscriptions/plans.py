"""The plans shoppers subscribe to: names and texts per language (``SubscriptionPlan``, translated
through wagtail-localize), amounts from Stripe (dj-stripe's ``Price`` mirror).

:func:`plans_for` is what the plan list shows: two queries whatever the number of plans.
:func:`plans_setup` makes the product and prices in Stripe and the plans here (staff, once);
``shop.subscriptions.local`` seeds the same rows without Stripe for the demo.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models.fields.json import KT
from djstripe.models import Price
from wagtail.models import Locale

from cms.services import object_translate
from shop.models import SubscriptionPlan
from shop.payments.stripe_gateway import from_cents

SOURCE_LOCALE = "de"
MONTHS = {SubscriptionPlan.Interval.MONTH: 1, SubscriptionPlan.Interval.YEAR: 12}


@dataclass(frozen=True)
class Plan:
    id: uuid.UUID  # the plan's translation key: the same in every language
    name: str
    summary: str
    interval: str
    price_id: str
    amount: Decimal  # gross, per interval
    currency: str
    locale: str  # the language served (German where no translation exists)

    @property
    def per_month(self) -> Decimal:
        return (self.amount / MONTHS[self.interval]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Saving:
    """What paying yearly saves against twelve monthly payments."""

    amount: Decimal
    percent: int


def _prices(price_ids) -> dict[str, dict]:
    rows = Price.objects.filter(id__in=set(price_ids)).values(
        "id", "currency", "active", unit_amount=KT("stripe_data__unit_amount")
    )
    return {row["id"]: row for row in rows}


# Plans change when staff edit them (the cache is emptied then) or a price changes in Stripe
# (rare; seen within this many seconds). A 403 for a video asks for them on every refusal.
PLANS_CACHE_SECONDS = 60
PLANS_CACHE_KEY = "shop:subscription-plans:v1"


def plans_cache_clear(**kwargs) -> None:
    cache.delete_many(
        [f"{PLANS_CACHE_KEY}:{language}:{flag}" for language, _ in settings.LANGUAGES for flag in (0, 1)]
    )


def plans_for(locale: str, *, active_only: bool = True) -> list[Plan]:
    """The plans in ``locale`` (German where untranslated), in their order; plans whose price is
    not (yet) in the mirror or no longer active in Stripe are left out. Cached briefly."""
    key = f"{PLANS_CACHE_KEY}:{locale}:{int(active_only)}"
    plans = cache.get(key)
    if plans is None:
        plans = _plans_read(locale, active_only=active_only)
        cache.set(key, plans, PLANS_CACHE_SECONDS)
    return plans


def _plans_read(locale: str, *, active_only: bool) -> list[Plan]:
    rows = SubscriptionPlan.objects.filter(locale__language_code__in={locale, SOURCE_LOCALE})
    if active_only:
        rows = rows.filter(is_active=True)
    by_key: dict[uuid.UUID, SubscriptionPlan] = {}
    languages: dict[uuid.UUID, str] = {}
    for plan in rows.select_related("locale"):
        language = plan.locale.language_code
        if plan.translation_key not in by_key or language == locale:
            by_key[plan.translation_key] = plan
            languages[plan.translation_key] = language
    prices = _prices(plan.stripe_price_id for plan in by_key.values())
    plans = []
    for key, plan in sorted(by_key.items(), key=lambda item: (item[1].sort_order, item[1].interval)):
        price = prices.get(plan.stripe_price_id)
        if price is None or not price["active"] or price["unit_amount"] in (None, ""):
            continue
        plans.append(
            Plan(
                id=key,
                name=plan.name,
                summary=plan.summary,
                interval=plan.interval,
                price_id=plan.stripe_price_id,
                amount=from_cents(int(price["unit_amount"])),
                currency=price["currency"].upper(),
                locale=languages[key],
            )
        )
    return plans


def plan_find(plan_id, locale: str = SOURCE_LOCALE) -> Plan | None:
    """An offered plan by its id (translation key), ``None`` when unknown or not offered."""
    try:
        key = uuid.UUID(str(plan_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return next((plan for plan in plans_for(locale) if plan.id == key), None)


def plans_by_price(price_ids, locale: str) -> dict[str, Plan]:
    """Plans (offered or not) by their Stripe price, for a subscriber's current plan."""
    wanted = set(price_ids)
    return {plan.price_id: plan for plan in plans_for(locale, active_only=False) if plan.price_id in wanted}


def yearly_saving(plans: list[Plan]) -> Saving | None:
    """Twelve monthly payments against one yearly one, when both are offered in one currency."""
    monthly = next((plan for plan in plans if plan.interval == SubscriptionPlan.Interval.MONTH), None)
    yearly = next((plan for plan in plans if plan.interval == SubscriptionPlan.Interval.YEAR), None)
    if monthly is None or yearly is None or monthly.currency != yearly.currency:
        return None
    twelve = monthly.amount * 12
    if twelve <= yearly.amount:
        return None
    amount = twelve - yearly.amount
    percent = int((amount / twelve * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return Saving(amount=amount, percent=percent)


@dataclass(frozen=True)
class PlanText:
    interval: str
    amount: Decimal
    name_de: str
    name_en: str
    summary_de: str
    summary_en: str


DEFAULT_PLANS = (
    PlanText(
        "month",
        Decimal("19.00"),
        "Monatsabo",
        "Monthly plan",
        "Alle Videos, die im Abo enthalten sind – monatlich kündbar.",
        "Every video included in the subscription – cancel any month.",
    ),
    PlanText(
        "year",
        Decimal("190.00"),
        "Jahresabo",
        "Yearly plan",
        "Alle Videos, die im Abo enthalten sind – zwei Monate geschenkt.",
        "Every video included in the subscription – two months free.",
    ),
)


def plan_put(*, text: PlanText, price_id: str, sort_order: int) -> SubscriptionPlan:
    """The German plan for ``price_id`` and its English translation, made or brought up to date."""
    german, _ = Locale.objects.get_or_create(language_code="de")
    english, _ = Locale.objects.get_or_create(language_code="en")
    plan = SubscriptionPlan.objects.filter(
        locale=german, interval=text.interval, stripe_price_id=price_id
    ).first()
    if plan is None:
        plan = SubscriptionPlan(locale=german, interval=text.interval, stripe_price_id=price_id)
    plan.name, plan.summary, plan.sort_order, plan.is_active = text.name_de, text.summary_de, sort_order, True
    plan.save()
    # Other plans of this interval (an earlier price) are no longer offered.
    SubscriptionPlan.objects.filter(interval=text.interval).exclude(
        translation_key=plan.translation_key
    ).update(is_active=False)
    object_translate(
        obj=plan, locale=english, strings={text.name_de: text.name_en, text.summary_de: text.summary_en}
    )
    plans_cache_clear()
    return plan


def plans_setup(*, monthly: Decimal, yearly: Decimal) -> list[SubscriptionPlan]:
    """Make the subscription product and its monthly and yearly prices in Stripe, mirror them and
    make the plans here (German, with their English translations). Safe to run again: the
    idempotency keys name the amounts, so the same amounts make nothing new, and new amounts make
    new prices (Stripe prices cannot change) whose plans replace the old ones for new subscribers."""
    from django.conf import settings
    from djstripe.models import Price as MirroredPrice

    from shop.payments import stripe_gateway

    product = stripe_gateway.product_create(key="subscription", name="Phialo Abo")
    made = []
    plans_cache_clear()
    for order, text in enumerate(DEFAULT_PLANS):
        amount = monthly if text.interval == SubscriptionPlan.Interval.MONTH else yearly
        price = stripe_gateway.price_create(
            key=f"subscription-{text.interval}-{stripe_gateway.to_cents(amount)}",
            product_id=product["id"],
            amount=amount,
            interval=text.interval,
        )
        MirroredPrice.sync_from_stripe_data(
            stripe_gateway.price_retrieve(price_id=price["id"]), api_key=settings.STRIPE_SECRET_KEY
        )
        made.append(plan_put(text=text, price_id=price["id"], sort_order=order))
    return made
