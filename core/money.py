"""Money in one place: the shop's currency, how an amount looks in the API
(``{"amount": "19.00", "currency": "EUR"}``, see ../shared/API.md) and how it reads to a person
(``1.234,56 €`` in German, ``€1,234.56`` in English)."""

from decimal import Decimal

from django.conf import settings
from django.utils import translation

CURRENCY = settings.OSCAR_DEFAULT_CURRENCY
CENT = Decimal("0.01")


def money(amount: Decimal | None, currency: str = CURRENCY) -> dict | None:
    """``{"amount": "19.00", "currency": "EUR"}``; ``None`` stays ``None``."""
    if amount is None:
        return None
    return {"amount": f"{Decimal(amount).quantize(CENT)}", "currency": currency}


def format_money(amount: str | Decimal | int | float, language: str | None = None) -> str:
    """``1.234,56 €`` in German, ``€1,234.56`` in English; ``language`` defaults to the active
    one (the admin's, in a staff page). Negative amounts keep their sign in front."""
    value = Decimal(str(amount))
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,.2f}"
    if (language or translation.get_language() or "de").startswith("en"):
        return f"{sign}€{digits}"
    return f"{sign}{digits.replace(',', ' ').replace('.', ',').replace(' ', '.')} €"
