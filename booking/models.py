"""Consultations: what can be booked, who is booked, when they work, and the bookings themselves.

All instants are stored in UTC (``DateTimeField`` with ``USE_TZ``); wall-clock rules (working
hours, date overrides) are stored as local times and dates in the consultant's IANA time zone and
turned into UTC instants by the slot engine (``booking/slots.py``), day by day, so a daylight-
saving change moves the hours with the clock instead of shifting them by one.

A ``Booking`` is one row from the first hold to the end: ``held`` (a short hold and the basket
line that pays for it), ``confirmed`` (paid), then ``completed``/``no_show``, or ``cancelled`` /
``expired``. On PostgreSQL an exclusion constraint (migration ``0002``) makes two live rows of
one consultant whose ``blocked`` ranges (the meeting plus the consultant's buffers) overlap
impossible, whatever the races.
"""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField


def time_zone_validate(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{value!r} is not an IANA time zone (for example Europe/Berlin).") from error


def feed_secret_new() -> str:
    return secrets.token_urlsafe(32)


class MeetingProvider(models.TextChoices):
    JITSI = "jitsi", "Jitsi Meet"
    ZOOM = "zoom", "Zoom"
    GOOGLE_MEET = "google_meet", "Google Meet"


class Consultant(ClusterableModel):
    """A person shoppers book, with the rules of their availability."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultant")
    display_name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, default="Europe/Berlin", validators=[time_zone_validate])
    is_active = models.BooleanField(default=True)
    meeting_provider = models.CharField(
        max_length=16, choices=MeetingProvider.choices, default=MeetingProvider.JITSI
    )

    buffer_before_minutes = models.PositiveIntegerField(default=0, help_text="Kept free before each meeting.")
    buffer_after_minutes = models.PositiveIntegerField(default=0, help_text="Kept free after each meeting.")
    minimum_notice_minutes = models.PositiveIntegerField(
        default=12 * 60, help_text="How long before its start a meeting can still be booked."
    )
    horizon_days = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text="How many days ahead can be booked."
    )
    slot_interval_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(5)], help_text="Start times are offered on this grid."
    )
    daily_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many meetings a day (in the consultant's time zone)."
    )
    weekly_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many meetings a week (Monday to Sunday)."
    )

    # A private ICS feed of the consultant's bookings: /booking/feeds/<feed_secret>.ics
    feed_secret = models.CharField(max_length=64, unique=True, default=feed_secret_new, editable=False)

    # CalDAV: bookings are written into this calendar; its busy times block slots.
    caldav_url = models.URLField(blank=True, help_text="The calendar's CalDAV URL.")
    caldav_username = models.CharField(max_length=255, blank=True)
    caldav_password = models.CharField(max_length=255, blank=True, help_text="An app-specific password.")
    caldav_synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    caldav_error = models.TextField(blank=True, editable=False)

    panels = [
        FieldPanel("user"),
        FieldPanel("display_name"),
        FieldPanel("time_zone"),
        FieldPanel("is_active"),
        FieldPanel("meeting_provider"),
        FieldPanel("buffer_before_minutes"),
        FieldPanel("buffer_after_minutes"),
        FieldPanel("minimum_notice_minutes"),
        FieldPanel("horizon_days"),
        FieldPanel("slot_interval_minutes"),
        FieldPanel("daily_limit"),
        FieldPanel("weekly_limit"),
        FieldPanel("caldav_url"),
        FieldPanel("caldav_username"),
        FieldPanel("caldav_password"),
        InlinePanel("working_hours", heading="Weekly working hours", label="Hours"),
        InlinePanel(
            "date_overrides", heading="Date overrides (extra hours, days off, holidays)", label="Date"
        ),
    ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ConsultationType(TranslatableMixin, models.Model):
    """A bookable consultation, translated like a page (wagtail-localize): title and text per
    language; length, prices and consultant shared by the translations. Each type is sold as two
    Oscar products (regular and first-timer price), kept in step by ``booking.products``."""

    class Duration(models.IntegerChoices):
        MIN_30 = 30, "30 minutes"
        MIN_60 = 60, "60 minutes"
        MIN_90 = 90, "90 minutes"

    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="types")
    title = models.CharField(max_length=120)
    summary = models.TextField(blank=True, max_length=1000)
    duration_minutes = models.PositiveIntegerField(choices=Duration.choices)
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.50"))],
        help_text="Gross, EUR.",
    )
    first_timer_price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.50"))],
        help_text="Gross, EUR, for a shopper's first paid consultation. Empty: no first-timer rate.",
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.IntegerField(default=0)

    override_translatable_fields = [
        SynchronizedField("consultant"),
        SynchronizedField("duration_minutes"),
        SynchronizedField("price"),
        SynchronizedField("first_timer_price"),
        SynchronizedField("is_active"),
        SynchronizedField("sort_order"),
    ]
    panels = [
        FieldPanel("consultant"),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("duration_minutes"),
        FieldPanel("price"),
        FieldPanel("first_timer_price"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "duration_minutes"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.first_timer_price is not None
            and self.price is not None
            and self.first_timer_price > self.price
        ):
            raise ValidationError({"first_timer_price": "The first-timer price cannot be above the price."})


class WorkingHours(models.Model):
    """A weekly recurring window, in the consultant's local time. Several per day are allowed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    consultant = ParentalKey(Consultant, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="booking_hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class DateOverride(models.Model):
    """A date whose availability differs from the week's: the rows of a date replace that day's
    working hours. A row without times makes the whole day unavailable (day off, holiday)."""

    consultant = ParentalKey(Consultant, on_delete=models.CASCADE, related_name="date_overrides")
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=120, blank=True, help_text="For example: holiday, trade fair.")

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True, end_time__isnull=True)
                | models.Q(
                    start_time__isnull=False, end_time__isnull=False, end_time__gt=models.F("start_time")
                ),
                name="booking_override_times_both_or_none",
            )
        ]

    def __str__(self) -> str:
        if self.start_time is None:
            return f"{self.date}: unavailable"
        return f"{self.date}: {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ExternalBusy(models.Model):
    """A busy time read from the consultant's own calendar (CalDAV); replaced at each sync."""

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="external_busy")
    start = models.DateTimeField()
    end = models.DateTimeField()
    uid = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["consultant", "start"])]

    def __str__(self) -> str:
        return f"busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


class BookingQuerySet(models.QuerySet):
    def blocking(self):
        """Rows that keep their time from others (the exclusion constraint's rows)."""
        return self.filter(status__in=Booking.BLOCKING)


class Booking(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Hold expired"

    BLOCKING = (Status.HELD, Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)

    class CancelledBy(models.TextChoices):
        SHOPPER = "shopper", "Shopper"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="The ICS UID.")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="bookings")
    type = models.ForeignKey(ConsultationType, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD, db_index=True)

    start = models.DateTimeField()
    end = models.DateTimeField()
    # The meeting plus the consultant's buffers as they were when the time was taken.
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    hold_expires_at = models.DateTimeField(null=True, blank=True)

    time_zone = models.CharField(max_length=64, default="Europe/Berlin", help_text="The shopper's.")
    language = models.CharField(max_length=8, default="de")
    first_timer = models.BooleanField(default=False)
    price = models.DecimalField(max_digits=8, decimal_places=2)

    # The basket line that pays for the hold, and the order line that paid.
    basket_id = models.IntegerField(null=True, blank=True)
    basket_line_id = models.IntegerField(null=True, blank=True)
    order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    order_line_id = models.IntegerField(null=True, blank=True)

    meeting_provider = models.CharField(max_length=16, choices=MeetingProvider.choices, blank=True)
    meeting_url = models.URLField(max_length=1000, blank=True)
    meeting_id = models.CharField(max_length=255, blank=True, help_text="The provider's id, to update it.")

    # ICS SEQUENCE: raised on every change attendees must see (reschedule, cancel).
    sequence = models.PositiveIntegerField(default=0)
    caldav_href = models.CharField(max_length=1000, blank=True)
    reschedule_count = models.PositiveIntegerField(default=0)

    # A repeated hold request (same Idempotency-Key and body) answers with this row again.
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=16, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.TextField(blank=True)
    refund_amount = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()
    # Nothing links to a booking from content; Wagtail's reference index would cost every save
    # a read, a write and savepoints.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["consultant", "blocked_from"]),
            models.Index(fields=["status", "start"]),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(blocked_from__lte=models.F("start"), blocked_until__gte=models.F("end")),
                name="booking_blocked_holds_meeting",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="booking_idempotency_key_per_user",
            ),
            # One first-timer rate in flight per shopper: two tabs cannot both take it.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(
                    first_timer=True, status__in=["held", "confirmed", "completed", "no_show"]
                ),
                name="booking_one_first_timer_rate_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.start:%Y-%m-%d %H:%M} UTC ({self.get_status_display()})"


class BookingNotice(models.Model):
    """One e-mail about a booking sent: unique per booking, kind and key, inserted in the
    transaction that queues the mail, so a second beat run or event sends nothing."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmation with invite"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        REMINDER_24H = "reminder_24h", "Reminder 24 h before"
        REMINDER_1H = "reminder_1h", "Reminder 1 h before"
        FOLLOW_UP = "follow_up", "Follow-up"
        SLOT_LOST = "slot_lost", "Paid too late: slot gone, refunded"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the notice is about, e.g. the booking's SEQUENCE for an updated invite.
    key = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind", "key"], name="booking_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.key})" if self.key else self.get_kind_display()
