"""Money reads the way each language writes it, wherever a person sees an amount."""

from decimal import Decimal

import pytest
from django.utils import translation

from core.money import format_money, money


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        (Decimal("1234.56"), "de", "1.234,56 €"),
        (Decimal("1234.56"), "en", "€1,234.56"),
        (Decimal("-19.99"), "de", "-19,99 €"),
        (Decimal("-19.99"), "en", "-€19.99"),
        ("0", "de", "0,00 €"),
        (Decimal("1234567"), "de", "1.234.567,00 €"),
        (29, "en", "€29.00"),
    ],
)
def test_an_amount_reads_as_its_language_writes_it(amount, language, shown):
    assert format_money(amount, language) == shown


def test_without_a_language_the_active_one_decides_so_the_german_admin_reads_german():
    with translation.override("de"):
        assert format_money(Decimal("1234.5")) == "1.234,50 €"
    with translation.override("en"):
        assert format_money(Decimal("1234.5")) == "€1,234.50"


def test_the_api_shape_keeps_a_dot_and_two_places():
    assert money(Decimal("19")) == {"amount": "19.00", "currency": "EUR"}
    assert money(None) is None
