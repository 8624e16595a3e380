"""Bookings in the admin: a list (upcoming first), a detail page in both time zones, and the
staff's actions on it. The actions call the services (``booking.services.cancellations`` and
``.marks``: the payment, refund, calendar and e-mail follow from there); a refusal (``ApiError``)
comes back as an error message on the booking's page.
"""

from __future__ import annotations

import zoneinfo

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseOperationView
from wagtail.admin.views.generic.models import (
    IndexView,
    InspectView,
)
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet

from booking.admin_views.scope import ScopedIndexMixin, ScopedObjectMixin, consultant_policy, local_text
from booking.models import Booking, Consultant
from booking.services.cancellations import booking_cancel
from booking.services.marks import STAFF_MARKS, booking_status_set
from core.errors import ApiError


def consultants_in_scope(request):
    """The consultant filter offers only the consultants the user may see."""
    if request is None:
        return Consultant.objects.none()
    return consultant_policy.scoped(Consultant.objects.order_by("display_name"), request.user)


class BookingFilterSet(WagtailFilterSet):
    WHEN = (("upcoming", "Upcoming"), ("past", "Past"))

    status = django_filters.MultipleChoiceFilter(
        choices=Booking.Status.choices, widget=forms.CheckboxSelectMultiple, label="Status"
    )
    consultant = django_filters.ModelChoiceFilter(queryset=consultants_in_scope, label="Consultant")
    when = django_filters.ChoiceFilter(choices=WHEN, method="filter_when", label="When")

    class Meta:
        model = Booking
        fields = ["status", "consultant"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(end__gt=now) if value == "upcoming" else queryset.filter(end__lte=now)


def when_text(booking: Booking) -> str:
    """The meeting in the consultant's time zone: what they see in their calendar."""
    return local_text(booking.start, booking.consultant.tz)


def shopper_text(booking: Booking) -> str:
    return booking.user.email if booking.user_id else "(account deleted)"


STATUS_PRIMARY = {Booking.Status.CONFIRMED, Booking.Status.HELD}


class BookingIndexView(ScopedIndexMixin, IndexView):
    """Upcoming meetings first (soonest on top), then past ones (latest on top)."""

    def get_base_queryset(self):
        now = timezone.now()
        return (
            super()
            .get_base_queryset()
            .select_related("consultant", "type", "user")
            .annotate(
                is_past=Case(
                    When(end__lte=now, then=Value(1)), default=Value(0), output_field=IntegerField()
                ),
                upcoming_start=Case(When(end__gt=now, then=F("start"))),
            )
            .order_by("is_past", F("upcoming_start").asc(nulls_last=True), "-start")
        )

    @cached_property
    def columns(self):
        when = self._get_title_column_class(TitleColumn)(
            "start",
            label="When (consultant's time)",
            accessor=when_text,
            sort_key="start",
            get_url=self.get_inspect_url,
        )
        return [
            when,
            Column("type", label="Type", accessor="type.title"),
            Column("shopper", label="Shopper", accessor=shopper_text),
            Column("consultant", label="Consultant", accessor="consultant.display_name"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="get_status_display",
                sort_key="status",
                primary=lambda booking: booking.status in STATUS_PRIMARY,
            ),
            Column("price", label="Price (EUR)", accessor="price"),
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The shopper reads it in the cancellation e-mail. The payment is refunded in full.",
    )


class BookingInspectView(ScopedObjectMixin, InspectView):
    """The booking's facts in both time zones, and the actions the staff can take on it."""

    template_name = "booking/admin/booking_inspect.html"
    page_title = "Booking"

    def get_page_subtitle(self):
        return f"{self.object.type.title}, {when_text(self.object)}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.object
        now = timezone.now()
        may_act = self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", booking
        )
        context.update(
            {
                "booking": booking,
                "facts": booking_facts(booking),
                "cancel_form": CancelForm(),
                "can_cancel": may_act and booking.status == Booking.Status.CONFIRMED and booking.end > now,
                "can_mark": may_act
                and booking.status in (Booking.Status.CONFIRMED, *STAFF_MARKS)
                and booking.start <= now,
                "statuses": Booking.Status,
            }
        )
        return context


def _order_link(booking: Booking) -> tuple[str, str]:
    if booking.order is None:
        return "", ""
    try:
        url = reverse("dashboard:order-detail", args=[booking.order.number])
    except NoReverseMatch:
        url = ""
    return booking.order.number, url


def booking_facts(booking: Booking) -> list[dict]:
    """Label, text and an optional link for each line of the detail page."""
    consultant_tz, shopper_tz = booking.consultant.tz, _zone(booking.time_zone)
    number, order_url = _order_link(booking)
    facts = [
        ("Status", booking.get_status_display(), ""),
        ("Type", f"{booking.type.title} ({booking.type.duration_minutes} min)", ""),
        ("Consultant", booking.consultant.display_name, ""),
        ("Start (consultant's time)", local_text(booking.start, consultant_tz), ""),
        ("End (consultant's time)", local_text(booking.end, consultant_tz), ""),
        (f"Start (shopper's time, {booking.time_zone})", local_text(booking.start, shopper_tz), ""),
        ("Shopper", shopper_text(booking), ""),
        ("Language", booking.language.upper(), ""),
        ("Price", f"{booking.price} EUR" + (" (first-timer rate)" if booking.first_timer else ""), ""),
        ("Order", number, order_url),
        ("Meeting", booking.meeting_url, booking.meeting_url),
        ("Hold expires", local_text(booking.hold_expires_at, consultant_tz), ""),
        ("Confirmed", local_text(booking.confirmed_at, consultant_tz), ""),
        ("Rescheduled", f"{booking.reschedule_count} times" if booking.reschedule_count else "", ""),
        ("Cancelled", local_text(booking.cancelled_at, consultant_tz), ""),
        ("Cancelled by", booking.get_cancelled_by_display() if booking.cancelled_by else "", ""),
        ("Reason", booking.cancel_reason, ""),
        ("Refunded", f"{booking.refund_amount} EUR" if booking.refund_amount else "", ""),
    ]
    return [{"label": label, "value": value, "url": url} for label, value, url in facts if value]


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class BookingActionView(ScopedObjectMixin, PermissionCheckedMixin, BaseOperationView):
    """A POST from the detail page that calls one service; back to the page with its outcome."""

    model = Booking
    permission_required = "change"
    success_url_name = "bookings:inspect"
    refused = "The booking was not changed"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ApiError as error:
            messages.error(request, f"{self.refused}: {error.message}")
            return redirect(self.get_success_url())


class BookingCancelView(BookingActionView):
    refused = "The booking was not cancelled"

    def post(self, request, *args, **kwargs):
        self.form = CancelForm(request.POST)
        if not self.form.is_valid():
            messages.error(request, "Say why the booking is cancelled: the shopper is told.")
            return redirect(self.get_success_url())
        return super().post(request, *args, **kwargs)

    def perform_operation(self):
        self.object = booking_cancel(
            booking=self.object,
            by=Booking.CancelledBy.STAFF,
            reason=self.form.cleaned_data["reason"],
            actor=self.request.user,
        )

    def get_success_message(self):
        refunded = self.object.refund_amount
        money = f" {refunded} EUR are refunded." if refunded else ""
        return f"The booking is cancelled; the shopper is told by e-mail.{money}"


class BookingMarkView(BookingActionView):
    """Mark a consultation that has begun as completed or a no-show."""

    refused = "The booking was not marked"

    def post(self, request, *args, **kwargs):
        self.status = request.POST.get("status", "")
        return super().post(request, *args, **kwargs)

    def perform_operation(self):
        self.object = booking_status_set(booking=self.object, status=self.status, actor=self.request.user)

    def get_success_message(self):
        return f"The booking is marked “{self.object.get_status_display()}”."


class BookingViewSet(ModelViewSet):
    """Bookings are made by shoppers: the admin lists them, shows one, and acts on it through
    the services; there is no add, edit or delete form."""

    model = Booking
    name = "bookings"
    url_prefix = "consultations/bookings"
    icon = "date"
    menu_label = "Bookings"
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    index_view_class = BookingIndexView
    inspect_view_class = BookingInspectView
    filterset_class = BookingFilterSet
    search_fields = ["user__email", "type__title", "consultant__display_name"]
    search_backend_name = None

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("cancel/<int:pk>/", BookingCancelView.as_view(), name="cancel"),
            path("mark/<int:pk>/", BookingMarkView.as_view(), name="mark"),
        ]
