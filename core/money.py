"""How values look in the API, in one place each (see ../shared/API.md)."""

from decimal import Decimal

CURRENCY = "EUR"


def money(amount: Decimal | None, currency: str = CURRENCY) -> dict | None:
    """``{"amount": "19.00", "currency": "EUR"}``; ``None`` stays ``None``."""
    if amount is None:
        return None
    return {"amount": f"{Decimal(amount).quantize(Decimal('0.01'))}", "currency": currency}
