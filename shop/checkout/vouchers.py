"""Discount codes: why a code is refused, and each use of a code taken once, under lock.

Codes are Oscar vouchers and offers, made in the dashboard (/dashboard/): a voucher names its
dates and usage, its offer (type "Voucher") names the condition, the benefit (percentage or
fixed amount) and the range it applies to (all products; a product class such as courses; one
video). Oscar's usages are single use, once per customer and multi-use. **N uses in total** is a
multi-use voucher whose offer has "Max global applications" N and "Max basket applications" 1
(offer wizard, Restrictions): every order that carries the code takes one use.

Applying a code (:func:`voucher_apply`) says why it is refused, each refusal with its own code
(``voucher_not_found``, ``voucher_expired``, ``voucher_not_started``, ``voucher_used``,
``voucher_login_required``, ``voucher_not_applicable``, ``voucher_already_applied``).

Placing an order (:func:`basket_discounts_confirm`, called by ``shop.checkout.ordering.order_place``)
locks the basket's vouchers and the offers it uses and prices the basket again under those
locks, so the last use of a code, an offer's global limit and the first-timer discount each go
to one order; a discount the shopper saw but can no longer have stops the checkout with a 409.
Oscar's own counters (uses, discount totals) are written from the locked rows, so none is lost.

A use belongs to an order that is paid or may still be: when an order is cancelled its codes are
given back (:func:`voucher_uses_release`); if its payment arrives after all, they are taken
again (:func:`voucher_uses_restore`). ``shop.payments.services`` calls both as it reconciles an order.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from oscar.apps.basket.models import Basket
from oscar.apps.basket.signals import voucher_addition
from oscar.apps.offer.applicator import Applicator
from oscar.apps.offer.models import Condition, ConditionalOffer
from oscar.apps.order.models import Order, OrderDiscount
from oscar.apps.voucher.models import Voucher, VoucherApplication

from core.errors import ApiError
from shop.offers import FirstPurchaseCondition, range_applies_to

# Oscar's tracking fields on an offer, read again from the locked row before Oscar adds to them.
OFFER_COUNTERS = (
    "num_applications",
    "num_orders",
    "total_discount",
    "status",
    "max_global_applications",
    "max_user_applications",
    "max_discount",
)


def _code_quoted(voucher_or_code) -> str:
    return f'"{getattr(voucher_or_code, "code", voucher_or_code)}"'


def _local_date(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def voucher_for_code(code: str) -> Voucher:
    """The voucher with ``code`` (any case, spaces around ignored); 404 ``voucher_not_found``."""
    code = code.strip().upper()
    voucher = Voucher.objects.filter(code=code).prefetch_related("offers").first()
    if voucher is None:
        raise ApiError("voucher_not_found", f"There is no code {_code_quoted(code)}.", status=404)
    return voucher


def voucher_refusal(voucher: Voucher, user) -> ApiError | None:
    """Why ``voucher`` cannot be used by ``user`` now, whatever the basket holds; ``None`` if it can."""
    now = timezone.now()
    code = _code_quoted(voucher)
    if now < voucher.start_datetime:
        return ApiError(
            "voucher_not_started",
            f"The code {code} is valid from {_local_date(voucher.start_datetime)}.",
            status=422,
            extra={"starts_at": voucher.start_datetime.isoformat()},
        )
    if now > voucher.end_datetime:
        return ApiError(
            "voucher_expired",
            f"The code {code} expired on {_local_date(voucher.end_datetime)}.",
            status=422,
            extra={"ended_at": voucher.end_datetime.isoformat()},
        )
    logged_in = user is not None and user.is_authenticated
    if voucher.usage == Voucher.ONCE_PER_CUSTOMER and not logged_in:
        return ApiError(
            "voucher_login_required",
            f"The code {code} can be used once per customer: log in to use it.",
            status=401,
        )
    available, _ = voucher.is_available_to_user(user=user)
    if not available:
        message = (
            f"You have already used the code {code}."
            if voucher.usage == Voucher.ONCE_PER_CUSTOMER
            else f"The code {code} has already been used."
        )
        return ApiError("voucher_used", message, status=409)
    offers = list(voucher.offers.all())
    if offers and all(offer.get_max_applications(user if logged_in else None) == 0 for offer in offers):
        return ApiError("voucher_used", _used_up_message(offers[0], code), status=409)
    return None


def _used_up_message(offer: ConditionalOffer, code: str) -> str:
    if offer.max_global_applications and offer.num_applications >= offer.max_global_applications:
        return f"The code {code} has been used as often as it may be ({offer.max_global_applications} times)."
    if offer.max_user_applications:
        return f"You have used the code {code} as often as you may."
    return f"The code {code} has been used up."


@transaction.atomic
def voucher_apply(*, basket: Basket, voucher: Voucher, request) -> Voucher:
    """Put ``voucher`` on the shopper's ``basket`` if it gives a discount there; otherwise raise
    the :class:`ApiError` that says why not (and the basket is left as it was).

    ``basket`` comes priced as the shopper sees it (oscar-api's ``get_basket`` applies the offers);
    a code that would take away the discount of a code already on it is refused.
    """
    if basket.vouchers.filter(pk=voucher.pk).exists():
        raise ApiError(
            "voucher_already_applied",
            f"The code {_code_quoted(voucher)} is already on your basket.",
            status=409,
        )
    refusal = voucher_refusal(voucher, request.user)
    if refusal is not None:
        raise refusal
    giving_before = _giving(basket)
    basket.vouchers.add(voucher)
    basket.reset_offer_applications()
    if not basket.is_empty:
        Applicator().apply(basket, request.user, request)
    giving = _giving(basket)
    if voucher.pk not in giving:
        raise _not_applicable(voucher, basket)  # the transaction takes the code off again
    displaced = [code for pk, code in giving_before.items() if pk not in giving]
    if displaced:
        others = ", ".join(_code_quoted(code) for code in displaced)
        raise ApiError(
            "voucher_not_applicable",
            f"The code {_code_quoted(voucher)} does not combine with {others} on these items; "
            "remove that code first to use this one instead.",
            status=422,
        )
    voucher_addition.send(sender=None, basket=basket, voucher=voucher)
    return voucher


def _giving(basket: Basket) -> dict[int, str]:
    """The codes that give a discount on ``basket`` as it was priced: id → code."""
    return {
        application["voucher"].pk: application["voucher"].code
        for application in basket.offer_applications
        if _voucher_pk(application) is not None
    }


def _voucher_pk(application: dict) -> int | None:
    voucher = application.get("voucher")
    return voucher.pk if voucher is not None and application["discount"] > 0 else None


def _not_applicable(voucher: Voucher, basket: Basket) -> ApiError:
    """What the basket lacks for ``voucher``, judged for its offers alone (no other discount)."""
    code = _code_quoted(voucher)
    offers = list(voucher.offers.select_related("condition__range", "benefit__range"))
    applies_to = range_applies_to(offers[0].benefit.range) if offers else range_applies_to(None)
    extra = {"applies_to": applies_to}
    if basket.is_empty:
        return ApiError(
            "voucher_not_applicable",
            f"Your basket is empty: add what the code {code} applies to first.",
            status=422,
            extra=extra,
        )
    basket.reset_offer_applications()
    for offer in offers:
        condition = offer.condition.proxy()
        if not condition.is_satisfied(offer, basket):
            return ApiError("voucher_not_applicable", _requirement(code, condition), status=422, extra=extra)
    message = (
        f"The items the code {code} applies to already have another discount; the two do not combine."
        if offers and _basket_holds_range(basket, offers[0].benefit.range)
        else f"The code {code} applies to {applies_to['name'] or 'other items'} only."
    )
    return ApiError("voucher_not_applicable", message, status=422, extra=extra)


def _basket_holds_range(basket: Basket, product_range) -> bool:
    return product_range is not None and any(
        product_range.contains_product(line.product) for line in basket.all_lines()
    )


def _requirement(code: str, condition: Condition) -> str:
    """A sentence telling the shopper what would make the code apply."""
    if isinstance(condition, FirstPurchaseCondition):
        return f"The code {code} is {condition.requirement}."
    product_range = condition.range
    items = (
        "any items" if product_range is None or product_range.includes_all_products else product_range.name
    )
    value = condition.value or Decimal("0")
    if condition.type == Condition.COUNT and value <= 1:
        return f"The code {code} applies to {items} only, and your basket holds none of them."
    if condition.type == Condition.COUNT:
        return f"The code {code} needs at least {int(value)} of {items} in your basket."
    if condition.type == Condition.VALUE:
        return f"The code {code} needs {items} worth at least {value:.2f} EUR in your basket."
    if condition.type == Condition.COVERAGE:
        return f"The code {code} needs {int(value)} different items of {items} in your basket."
    requirement = getattr(condition, "requirement", None) or str(condition.name)
    return f"The code {code} does not apply to this basket ({requirement})."


def basket_discounts_confirm(*, basket: Basket, user, request=None) -> None:
    """Price ``basket`` again with its vouchers and offers locked, for the order about to be placed.

    Call inside the placement's transaction, with the shopper's row already locked (so the
    first-timer condition is judged once per shopper at a time). Locks are taken in one order
    everywhere (vouchers, then offers, each by id), so placements cannot deadlock. Raises
    :class:`ApiError` when a discount the basket carried (as the caller priced it) is gone:
    ``voucher_used`` (last use taken meanwhile), ``voucher_expired``, ``first_timer_used``,
    ``discount_changed``. Codes that give nothing are taken off the basket so the order does not
    use them up. Leaves ``basket.offer_applications`` fresh for Oscar's ``OrderCreator``.
    """
    shopper = user if user is not None else AnonymousUser()
    owner = shopper if shopper.is_authenticated else None
    expected = {_application_key(a) for a in basket.offer_applications if a["discount"] > 0}
    vouchers = {
        voucher.pk: voucher for voucher in basket.vouchers.select_for_update(of=("self",)).order_by("pk")
    }

    basket.reset_offer_applications()
    Applicator().apply(basket, shopper, request)
    applied = [application for application in basket.offer_applications if application["discount"] > 0]
    locked = ConditionalOffer.objects.select_for_update().filter(pk__in=[a["offer"].pk for a in applied])
    fresh = {offer.pk: offer for offer in locked.order_by("pk")}
    granted = set()
    for application in applied:
        offer = application["offer"]
        for field in OFFER_COUNTERS:  # Oscar adds this order's use to these values
            setattr(offer, field, getattr(fresh[offer.pk], field))
        if offer.get_max_applications(owner) >= application["freq"]:
            granted.add(_application_key(application))

    # What the shopper saw, and what Oscar would record now, must both be granted under the locks.
    missing = (expected | {_application_key(application) for application in applied}) - granted
    if missing:
        raise _discount_gone(sorted(missing, key=str), vouchers, shopper)
    giving = {voucher_pk for _, voucher_pk in granted}
    idle = [voucher for pk, voucher in vouchers.items() if pk not in giving]
    if idle:
        basket.vouchers.remove(*idle)


def _application_key(application: dict) -> tuple[int, int | None]:
    voucher = application.get("voucher")
    return application["offer"].pk, voucher.pk if voucher is not None else None


def _discount_gone(missing, vouchers: dict[int, Voucher], user) -> ApiError:
    for offer_id, voucher_id in missing:
        if voucher_id is not None:
            voucher = vouchers.get(voucher_id)
            refusal = voucher_refusal(voucher, user) if voucher is not None else None
            if refusal is not None:
                return refusal
            continue
        if ConditionalOffer.objects.filter(
            pk=offer_id, condition__proxy_class=FirstPurchaseCondition.path()
        ).exists():
            return ApiError(
                "first_timer_used",
                "The first-purchase discount is no longer yours: it is on a paid order, or on an "
                "order waiting for payment. Look at your basket again.",
                status=409,
            )
    return ApiError(
        "discount_changed",
        "The discounts on your basket have changed; look at your basket again before paying.",
        status=409,
    )


def _voucher_discounts(order: Order) -> dict[int, list[OrderDiscount]]:
    discounts: dict[int, list[OrderDiscount]] = {}
    for discount in order.discounts.filter(voucher_id__isnull=False):
        discounts.setdefault(discount.voucher_id, []).append(discount)
    return discounts


def _lock_vouchers(voucher_ids) -> None:
    list(Voucher.objects.select_for_update().filter(pk__in=voucher_ids).order_by("pk").values_list("pk"))


def _count_use(voucher_id: int, discounts: list[OrderDiscount], sign: int) -> None:
    """Add (``sign`` 1) or take back (-1) one order's use of a voucher and its offers' counters."""
    amount = sum((discount.amount for discount in discounts), Decimal("0.00"))
    Voucher.objects.filter(pk=voucher_id).update(
        num_orders=Greatest(F("num_orders") + sign, 0), total_discount=F("total_discount") + sign * amount
    )
    offers = ConditionalOffer.objects.select_for_update().filter(pk__in=[d.offer_id for d in discounts])
    by_id = {offer.pk: offer for offer in offers.order_by("pk")}
    for discount in discounts:
        offer = by_id.get(discount.offer_id)
        if offer is None:
            continue
        offer.num_applications = max(0, offer.num_applications + sign * discount.frequency)
        offer.num_orders = max(0, offer.num_orders + sign)
        offer.total_discount += sign * discount.amount
        offer.save()  # Oscar sets "Consumed" or "Open" again from the limits


@transaction.atomic
def voucher_uses_release(*, order: Order) -> int:
    """Give back the codes an order that will not be paid had taken; returns how many.

    Safe to call twice (a use given back is gone); the order's discount records stay as they were.
    """
    discounts = _voucher_discounts(order)
    voucher_ids = sorted(
        set(discounts) | set(order.voucherapplication_set.values_list("voucher_id", flat=True))
    )
    if not voucher_ids:
        return 0
    _lock_vouchers(voucher_ids)
    released = sorted(set(order.voucherapplication_set.values_list("voucher_id", flat=True)))
    order.voucherapplication_set.all().delete()
    for voucher_id in released:
        _count_use(voucher_id, discounts.get(voucher_id, []), -1)
    return len(released)


@transaction.atomic
def voucher_uses_restore(*, order: Order) -> int:
    """Take the codes of a paid order again if a cancellation had given them back; returns how many.

    A payment is final: the use is recorded even when the code's last use went to someone else
    meanwhile. Safe to call for every paid order.
    """
    discounts = _voucher_discounts(order)
    if not discounts:
        return 0
    _lock_vouchers(sorted(discounts))
    recorded = set(order.voucherapplication_set.values_list("voucher_id", flat=True))
    restored = sorted(set(discounts) - recorded)
    for voucher_id in restored:
        VoucherApplication.objects.create(voucher_id=voucher_id, order=order, user_id=order.user_id)
        _count_use(voucher_id, discounts[voucher_id], 1)
    return len(restored)
