"""The demo's consultations: one consultant with a plain working week, a holiday, and three
consultation types in German with English translations, sold through their Oscar products.

Idempotent: a second run changes nothing. What exists is left as it is (an editor's changes to
the hours or a type survive a re-seed); only what is missing is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from booking.models import Consultant, ConsultationType, DateOverride, WorkingHours
from booking.products import products_sync
from booking.services.consultants import consultant_group_ensure
from cms.services import object_translate

CONSULTANT_EMAIL = "consultant@phialo.example"
TIME_ZONE = "Europe/Berlin"
# Monday to Friday, with a lunch break.
HOURS = ((time(9), time(12)), (time(13), time(17)))
WEEKDAYS = range(5)
# Public holidays on fixed dates in every German state; the next one on a working day becomes the
# demo's day off (one on a weekend would show nothing).
HOLIDAYS = ((1, 1, "Neujahr"), (5, 1, "Tag der Arbeit"), (10, 3, "Tag der Deutschen Einheit"),
            (12, 25, "1. Weihnachtstag"), (12, 26, "2. Weihnachtstag"))  # fmt: skip


@dataclass(frozen=True)
class TypeText:
    minutes: int
    price: Decimal
    first_timer_price: Decimal
    title_de: str
    title_en: str
    summary_de: str
    summary_en: str


TYPES = (
    TypeText(
        30,
        Decimal("49.00"),
        Decimal("29.00"),
        "Kurzberatung",
        "Quick consultation",
        "Eine halbe Stunde für eine konkrete Frage: Werkzeug, Material oder ein Arbeitsschritt.",
        "Half an hour for one concrete question: tools, material or a step of your work.",
    ),
    TypeText(
        60,
        Decimal("89.00"),
        Decimal("59.00"),
        "Schmuckberatung",
        "Jewellery consultation",
        "Eine Stunde zu Entwurf, Material und Technik Ihres Schmuckstücks.",
        "An hour on the design, material and technique of your piece.",
    ),
    TypeText(
        90,
        Decimal("129.00"),
        Decimal("99.00"),
        "Werkstattgespräch",
        "Workshop session",
        "Anderthalb Stunden, um ein Projekt gemeinsam zu planen oder eine Arbeit durchzusehen.",
        "An hour and a half to plan a project together or to review a piece of work.",
    ),
)


@dataclass
class DemoConsultations:
    consultant: Consultant
    types: list[ConsultationType]  # the German rows


def _quiet(what: str, done: int, total: int) -> None:
    pass


def demo_seed(progress: Callable[[str, int, int], None] | None = None) -> DemoConsultations:
    """The demo consultant, their hours, a holiday and three bookable types (DE and EN)."""
    progress = progress or _quiet
    with transaction.atomic():
        consultant = _consultant()
        _hours(consultant)
        _holiday(consultant)
    types = []
    for done, text in enumerate(TYPES, start=1):
        types.append(_type(consultant, text))
        progress("consultation types", done, len(TYPES))
    return DemoConsultations(consultant=consultant, types=types)


def _consultant() -> Consultant:
    """The consultant's user gets no password: set one in the admin to sign in as them. They are in
    the Consultants group, so in the Wagtail admin they see only their own row and bookings."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=CONSULTANT_EMAIL).first()
    if user is None:
        user = user_model.objects.create_user(
            email=CONSULTANT_EMAIL, password=None, first_name="Clara", last_name="Goldbach", locale="de"
        )
    group = consultant_group_ensure()
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    consultant, _ = Consultant.objects.get_or_create(
        user=user,
        defaults={
            "display_name": "Clara Goldbach",
            "time_zone": TIME_ZONE,
            "buffer_before_minutes": 15,
            "buffer_after_minutes": 15,
            "minimum_notice_minutes": 12 * 60,
            "horizon_days": 60,
            "slot_interval_minutes": 30,
        },
    )
    return consultant


def _hours(consultant: Consultant) -> None:
    if consultant.working_hours.exists():
        return
    WorkingHours.objects.bulk_create(
        WorkingHours(consultant=consultant, weekday=weekday, start_time=start, end_time=end)
        for weekday in WEEKDAYS
        for start, end in HOURS
    )


def next_holiday(today: date) -> tuple[date, str]:
    """The first of :data:`HOLIDAYS` after ``today`` that falls on a working day."""
    candidates = sorted(
        (date(year, month, day), name)
        for year in range(today.year, today.year + 3)
        for month, day, name in HOLIDAYS
    )
    return next((day, name) for day, name in candidates if day > today and day.weekday() in WEEKDAYS)


def _holiday(consultant: Consultant) -> None:
    day, name = next_holiday(timezone.localdate(timezone=consultant.tz))
    if not consultant.date_overrides.filter(date=day).exists():
        DateOverride.objects.create(consultant=consultant, date=day, note=name)


def _type(consultant: Consultant, text: TypeText) -> ConsultationType:
    german, _ = Locale.objects.get_or_create(language_code="de")
    english, _ = Locale.objects.get_or_create(language_code="en")
    consultation_type = ConsultationType.objects.filter(
        consultant=consultant, locale=german, duration_minutes=text.minutes
    ).first()
    if consultation_type is None:
        # Saving a type syncs its products (booking.receivers); the call below makes sure anyway.
        consultation_type = ConsultationType.objects.create(
            consultant=consultant,
            locale=german,
            duration_minutes=text.minutes,
            title=text.title_de,
            summary=text.summary_de,
            price=text.price,
            first_timer_price=text.first_timer_price,
            sort_order=text.minutes,
        )
    if consultation_type.get_translation_or_none(english) is None:
        object_translate(
            obj=consultation_type,
            locale=english,
            strings={text.title_de: text.title_en, text.summary_de: text.summary_en},
        )
    products_sync(consultation_type)
    return consultation_type
