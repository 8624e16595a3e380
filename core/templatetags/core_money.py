"""``{% load core_money %}`` ``{{ order.total_incl_tax|money }}``: an amount as the active language
writes it (see :func:`core.money.format_money`)."""

from django import template

from core.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(amount) -> str:
    if amount is None or amount == "":
        return "–"
    return format_money(amount)
