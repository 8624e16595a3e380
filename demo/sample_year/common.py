"""What every step of the sample year shares: sizes, batch size, the e-mail domain that marks its
rows, the progress callback, times of day shoppers act at, and the plan of one paid order."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from backoffice.reports.base import studio_zone

CENT = Decimal("0.01")
BATCH = 2000
DOMAIN = "sample.phialo.localhost"

Progress = Callable[[str, int, int], None]


def quiet(what: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Sizes:
    customers: int
    orders: int
    days: int = 365


@dataclass
class OrderPlan:
    number: str
    user: object
    paid_at: datetime
    items: list  # (product, gross price before discounts)
    discount: Decimal = Decimal("0")
    refunded_at: datetime | None = None
    order: object = None  # set once written


def moment(rng: random.Random, day: date) -> datetime:
    """A time of day shoppers buy at (08:00 to 23:59 Berlin), as an aware datetime."""
    minutes = rng.randint(8 * 60, 24 * 60 - 1)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=studio_zone())


def ts(moment: datetime) -> int:
    return int(moment.timestamp())
