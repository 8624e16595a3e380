"""Consultations in the Wagtail admin: consultants (their hours and date overrides), consultation
types (a translatable snippet) and bookings (a list, a detail page, and the staff's actions).

Who sees what is decided in one place, :func:`consultant_scope`, and enforced through Wagtail's
permission policies (:class:`ConsultantScopedPolicy`, registered for ``Consultant`` and
``Booking`` in ``booking.wagtail_hooks``): the model permissions say *what* someone may do, the
scope says *on which rows*. A consultant who is not a superuser sees and edits only their own
consultant row and only their own bookings; a row outside the scope answers 404, as if it did
not exist. The generic views Wagtail builds load their object in several ways, so the scope is
applied where each view lists (:class:`ScopedIndexMixin`) and where it loads one row
(:class:`ScopedObjectMixin`).

The actions call ``booking.services`` (the payment, refund, calendar and e-mail follow from
there); a refusal (``ApiError``) comes back as an error message on the booking's page.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.models import Group, Permission
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseOperationView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import (
    DeleteView,
    EditView,
    IndexView,
    InspectView,
)
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

from booking import services
from booking.calendar.ics import feed_url
from booking.models import Booking, Consultant, ConsultationType
from core.errors import ApiError

CONSULTANTS_GROUP = "Consultants"
# What the "Consultants" group may do: reach the admin, edit their own row (hours, overrides,
# rules, calendar), see their bookings and act on them. The scope narrows it to their own rows.
CONSULTANT_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("booking", "view_consultant"),
    ("booking", "change_consultant"),
    ("booking", "view_booking"),
    ("booking", "change_booking"),
)
_SCOPE_CACHE = "_booking_consultant_scope"


def consultant_scope(user) -> int | None:
    """The id of the consultant whose rows ``user`` is limited to, or ``None`` for every row.

    A superuser sees everything, and so does staff who are not consultants themselves (the
    studio's office, given the model permissions); a consultant sees only their own row. Cached on
    the user object: a listing asks once per row.
    """
    if user.is_superuser:
        return None
    if not hasattr(user, _SCOPE_CACHE):
        own = Consultant.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
        setattr(user, _SCOPE_CACHE, own)
    return getattr(user, _SCOPE_CACHE)


def consultant_group_ensure() -> Group:
    """The "Consultants" group with :data:`CONSULTANT_PERMISSIONS`; put a consultant's user in it."""
    group, _ = Group.objects.get_or_create(name=CONSULTANTS_GROUP)
    wanted = Permission.objects.none()
    for app_label, codename in CONSULTANT_PERMISSIONS:
        wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    missing = wanted.exclude(pk__in=group.permissions.values("pk"))
    if missing.exists():
        group.permissions.add(*missing)
    return group


class ConsultantScopedPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed to the rows of :func:`consultant_scope`.

    ``consultant_field`` names the consultant's id on the model (``pk`` for a consultant itself).
    ``never`` lists actions nobody takes here, whatever their permissions (bookings are made by
    shoppers and never deleted: orders, refunds and invoices point at them).
    """

    def __init__(self, model, *, consultant_field: str, never: tuple[str, ...] = ()):
        super().__init__(model)
        self.consultant_field = consultant_field
        self.never = never

    def user_has_permission(self, user, action) -> bool:
        return action not in self.never and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def in_scope(self, user, instance) -> bool:
        scope = consultant_scope(user)
        return scope is None or getattr(instance, self.consultant_field) == scope

    def scoped(self, queryset, user):
        scope = consultant_scope(user)
        return queryset if scope is None else queryset.filter(**{self.consultant_field: scope})

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and self.in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return self.user_has_any_permission(user, actions) and self.in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scoped(self.model._default_manager.all(), user)


consultant_policy = ConsultantScopedPolicy(Consultant, consultant_field="pk")
booking_policy = ConsultantScopedPolicy(Booking, consultant_field="consultant_id", never=("add", "delete"))


class ScopedIndexMixin:
    """A listing of only the rows in the user's scope."""

    def get_base_queryset(self):
        return self.permission_policy.scoped(super().get_base_queryset(), self.request.user)


class ScopedObjectMixin:
    """A view of one row answers 404 for a row outside the user's scope."""

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if not self.permission_policy.in_scope(self.request.user, instance):
            raise Http404
        return instance


def _local(instant: datetime | None, time_zone) -> str:
    if instant is None:
        return ""
    local = timezone.localtime(instant, time_zone)
    return f"{local:%a %d.%m.%Y %H:%M} {local.tzname()}"


# -- Consultants -------------------------------------------------------------------------------


class ConsultantIndexView(ScopedIndexMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")


class ConsultantEditView(ScopedObjectMixin, EditView):
    """The consultant's rules, hours and overrides, with their calendar's state and feed above."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consultant"] = self.object
        context["feed_url"] = feed_url(self.object)
        return context


class ConsultantFeedRotateView(ScopedObjectMixin, PermissionCheckedMixin, BaseOperationView):
    """The "new feed address" button on a consultant's page: a POST (CSRF-checked, as every admin
    form), allowed to whoever may change that consultant (staff, or the consultant on their own
    row; anyone else's row is a 404). The old address answers 404 from then on."""

    model = Consultant
    permission_required = "change"
    success_url_name = "consultants:edit"

    def perform_operation(self):
        self.object = services.consultant_rotate_feed_secret(consultant=self.object, actor=self.request.user)

    def get_success_message(self):
        return _(
            "The feed has a new address; the old one no longer works. Subscribe your calendar app "
            "to the new one."
        )


class ConsultantDeleteView(ScopedObjectMixin, DeleteView):
    pass


class ConsultantHistoryView(ScopedObjectMixin, HistoryView):
    pass


class ConsultantUsageView(ScopedObjectMixin, UsageView):
    pass


def calendar_text(consultant: Consultant) -> str:
    if not consultant.caldav_url:
        return "Not connected"
    if consultant.caldav_error:
        return "Error: " + consultant.caldav_error[:80]
    if consultant.caldav_synced_at:
        return "Synced " + _local(consultant.caldav_synced_at, consultant.tz)
    return "Not synced yet"


class ConsultantViewSet(ModelViewSet):
    model = Consultant
    name = "consultants"
    url_prefix = "consultations/consultants"
    icon = "user"
    menu_label = "Consultants"
    copy_view_enabled = False
    search_fields = ["display_name", "user__email"]
    search_backend_name = None  # plain ORM search: consultants are not in Wagtail's search index
    list_filter = ["is_active"]
    index_view_class = ConsultantIndexView
    edit_view_class = ConsultantEditView
    delete_view_class = ConsultantDeleteView
    history_view_class = ConsultantHistoryView
    usage_view_class = ConsultantUsageView
    edit_template_name = "booking/admin/consultant_edit.html"
    list_display = [
        "display_name",
        Column("user", label="User", accessor="user.email"),
        Column("time_zone", label="Time zone", sort_key="time_zone"),
        Column("is_active", label="Active", accessor=lambda c: "Yes" if c.is_active else "No"),
        Column("calendar", label="Calendar", accessor=calendar_text),
    ]
    # The model's panels, except that only who may add consultants picks a row's user: a
    # consultant edits their hours and rules, never whose row it is.
    panels = [
        FieldPanel("user", permission="booking.add_consultant")
        if getattr(panel, "field_name", None) == "user"
        else panel
        for panel in Consultant.panels
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("rotate-feed/<int:pk>/", ConsultantFeedRotateView.as_view(), name="rotate_feed"),
        ]


# -- Consultation types ------------------------------------------------------------------------


class ConsultationTypeViewSet(SnippetViewSet):
    """A snippet, translated like a page (wagtail-localize); its products follow every save."""

    model = ConsultationType
    icon = "tag"
    menu_label = "Consultation types"
    list_display = [
        "title",
        "duration_minutes",
        Column("price", label="Price (EUR)", accessor="price"),
        Column("first_timer_price", label="First-timer (EUR)", accessor="first_timer_price"),
        "consultant",
        Column("is_active", label="Active", accessor=lambda t: "Yes" if t.is_active else "No"),
    ]
    list_filter = ["is_active", "duration_minutes"]


# -- Bookings ----------------------------------------------------------------------------------


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
    return _local(booking.start, booking.consultant.tz)


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
                and booking.status in (Booking.Status.CONFIRMED, *services.STAFF_MARKS)
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
    consultant_tz = booking.consultant.tz
    number, order_url = _order_link(booking)
    facts = [
        ("Status", booking.get_status_display(), ""),
        ("Type", f"{booking.type.title} ({booking.type.duration_minutes} min)", ""),
        ("Consultant", booking.consultant.display_name, ""),
        ("Start (consultant's time)", _local(booking.start, consultant_tz), ""),
        ("End (consultant's time)", _local(booking.end, consultant_tz), ""),
        (f"Start (shopper's time, {booking.time_zone})", _local(booking.start, _zone(booking.time_zone)), ""),
        ("Shopper", shopper_text(booking), ""),
        ("Language", booking.language.upper(), ""),
        ("Price", f"{booking.price} EUR" + (" (first-timer rate)" if booking.first_timer else ""), ""),
        ("Order", number, order_url),
        ("Meeting", booking.meeting_url, booking.meeting_url),
        ("Hold expires", _local(booking.hold_expires_at, consultant_tz), ""),
        ("Confirmed", _local(booking.confirmed_at, consultant_tz), ""),
        ("Rescheduled", f"{booking.reschedule_count} times" if booking.reschedule_count else "", ""),
        ("Cancelled", _local(booking.cancelled_at, consultant_tz), ""),
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
        self.object = services.booking_cancel(
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
        self.object = services.booking_status_set(
            booking=self.object, status=self.status, actor=self.request.user
        )

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


class ConsultationsViewSetGroup(ViewSetGroup):
    """The "Consultations" menu: bookings, consultants, types."""

    menu_label = "Consultations"
    menu_icon = "date"
    menu_order = 260
    items = (BookingViewSet, ConsultantViewSet, ConsultationTypeViewSet)
