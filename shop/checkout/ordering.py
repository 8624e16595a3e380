"""From basket to order: the Oscar side of a checkout.

:func:`order_place` freezes the shopper's basket and writes it out as an Oscar order waiting for
payment, with German VAT computed on each line's final gross amount (``shop.vat``) and stored on
the line (``line_price_incl_tax`` minus ``line_price_excl_tax``). Vouchers are locked and checked
again inside the same transaction (Oscar's ``OrderCreator`` does it with ``select_for_update``),
so two shoppers racing for the last use of a code cannot both get it.

:func:`basket_give_back` undoes the freeze when an order will not be paid: its lines go back into
the shopper's open basket (a new one when they have none), so nothing they chose is lost.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from oscar.apps.basket.models import Basket
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import Order
from oscar.apps.order.utils import OrderCreator
from oscar.apps.shipping.methods import NoShippingRequired
from oscar.core.loading import get_class

from core.errors import ApiError
from shop.checkout.vouchers import basket_discounts_confirm
from shop.statuses import OrderStatus
from shop.vat import gross_split

Selector = get_class("partner.strategy", "Selector")


class VatOrderCreator(OrderCreator):
    """Oscar's order writer, with VAT split from each line's gross amount after discounts.

    Oscar scales a gross discount down to a net one by the line's tax ratio, which can land a cent
    away from the VAT German law asks for (the VAT contained in what is actually paid). Here the
    gross amount paid is the truth and net/VAT are derived from it; the order's totals are the
    sums of its lines.
    """

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        line = super().create_line_models(order, basket_line, extra_line_fields)
        line.line_price_excl_tax = gross_split(line.line_price_incl_tax).net
        line.line_price_before_discounts_excl_tax = gross_split(line.line_price_before_discounts_incl_tax).net
        line.save(update_fields=["line_price_excl_tax", "line_price_before_discounts_excl_tax"])
        return line

    def place_order(self, basket, total, shipping_method, shipping_charge, **kwargs):
        order = super().place_order(basket, total, shipping_method, shipping_charge, **kwargs)
        lines = list(order.lines.all())
        order.total_incl_tax = sum((line.line_price_incl_tax for line in lines), Decimal("0.00"))
        order.total_excl_tax = sum((line.line_price_excl_tax for line in lines), Decimal("0.00"))
        order.save(update_fields=["total_incl_tax", "total_excl_tax"])
        return order


def _order_number(basket: Basket) -> str:
    """Oscar's number (basket id + 100000); a basket given back and checked out again gets a
    suffix, since its first order keeps the plain number."""
    base = str(100000 + basket.pk)
    taken = set(Order.objects.filter(number__startswith=base).values_list("number", flat=True))
    if base not in taken:
        return base
    attempt = 2
    while f"{base}-{attempt}" in taken:
        attempt += 1
    return f"{base}-{attempt}"


def return_url(order, locale: str) -> str:
    """The front end's page for this order (Stripe's success and cancel pages lead there too)."""
    return f"{settings.FRONTEND_URL}/{locale}/checkout/{order.number}/"


@transaction.atomic
def order_place(*, basket: Basket, user, email: str, request=None) -> Order:
    """Write ``basket`` (with its strategy and offers applied) out as an order waiting for payment.

    Raises :class:`ApiError` when the basket cannot be bought as it is: empty (422
    ``basket_empty``), not open (409 ``basket_frozen``), an item that is no longer sold (409
    ``item_unavailable``), a voucher used up or expired meanwhile (409 ``voucher_used``), a discount
    the basket showed that is gone (``shop.checkout.vouchers.basket_discounts_confirm``). Nothing
    is written then.
    """
    # [offers] One placement per shopper at a time, the shopper locked before the basket (the order
    # basket_merge_at_login locks them in): the first-timer discount goes to one order only.
    if user is not None and user.is_authenticated:
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    locked = Basket.objects.select_for_update().get(pk=basket.pk)
    if locked.status != Basket.OPEN:
        raise ApiError("basket_frozen", "This basket is already being paid for.", status=409)
    if basket.is_empty:
        raise ApiError("basket_empty", "The basket is empty.", status=422)
    unavailable = [
        line.product.get_title()
        for line in basket.all_lines()
        if not line.purchase_info.availability.is_available_to_buy
    ]
    if unavailable:
        raise ApiError(
            "item_unavailable",
            "Some items are no longer sold; remove them from the basket.",
            status=409,
            extra={"items": unavailable},
        )
    if any(line.quantity != 1 for line in basket.all_lines()):
        raise ApiError("bad_quantity", "A digital item is bought once; its quantity is 1.", status=400)
    # [offers] Price the basket again with its codes and offers locked: the last use of a code or
    # a discount that is gone meanwhile is a 409 (voucher_used, first_timer_used, ...), not an order.
    basket_discounts_confirm(basket=basket, user=user, request=request)
    shipping_method = NoShippingRequired()
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator(request).calculate(basket, shipping_charge)
    try:
        order = VatOrderCreator().place_order(
            basket=basket,
            total=total,
            shipping_method=shipping_method,
            shipping_charge=shipping_charge,
            user=user if user is not None and user.is_authenticated else None,
            order_number=_order_number(basket),
            status=OrderStatus.PENDING,
            request=request,
            guest_email=email,
        )
    except ValueError as error:  # Oscar's own voucher re-check (basket_discounts_confirm did it first)
        raise ApiError("voucher_used", str(error), status=409) from error
    basket.freeze()
    return order


@transaction.atomic
def basket_give_back(*, order: Order) -> Basket | None:
    """Put the lines of an order that will not be paid back into its owner's open basket.

    Safe to call again: a line already in the open basket is not doubled. Returns the open basket,
    or ``None`` for an order without an owner or whose basket is gone.
    """
    if order.user_id is None:
        return None
    frozen = Basket.objects.select_for_update().filter(pk=order.basket_id).first()
    open_basket = Basket.open.select_for_update().filter(owner_id=order.user_id).order_by("pk").first()
    if open_basket is None:
        open_basket = Basket.objects.create(owner_id=order.user_id)
    open_basket.strategy = Selector().strategy(user=order.user)
    existing = set(open_basket.lines.values_list("product_id", flat=True))
    for line in order.lines.select_related("product__product_class"):
        product = line.product
        if product is None or product.pk in existing or product.product_class.slug == "consultation":
            continue  # a consultation's time was held for this payment only: the shopper picks again
        if open_basket.strategy.fetch_for_product(product).availability.is_available_to_buy:
            open_basket.add_product(product)
    for voucher in frozen.vouchers.all() if frozen is not None else ():
        open_basket.vouchers.add(voucher)
    if frozen is not None and frozen.status == Basket.FROZEN:
        frozen.submit()  # the frozen basket belongs to the order now; the open one carries on
    return open_basket
