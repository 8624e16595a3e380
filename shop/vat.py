"""German VAT on gross prices: an editor's price is what the shopper pays, VAT included.

The VAT in a gross amount is ``gross - round(gross / (1 + rate))``, rounded half up to the cent,
computed on each line's final amount (after discounts), never summed from rounded parts of it.
This is the one place that splits a gross amount; the pricing strategy and order placement use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def vat_rate() -> Decimal:
    return Decimal(settings.SHOP_VAT_RATE)


@dataclass(frozen=True)
class GrossSplit:
    gross: Decimal
    net: Decimal
    vat: Decimal


def gross_split(gross: Decimal, rate: Decimal | None = None) -> GrossSplit:
    """Split a gross amount into its net part and the VAT it includes."""
    rate = vat_rate() if rate is None else rate
    gross = Decimal(gross).quantize(CENT, rounding=ROUND_HALF_UP)
    net = (gross / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return GrossSplit(gross=gross, net=net, vat=gross - net)
