"""Consultants in the admin: the list, their edit page (hours, date overrides, rules, their
calendar's state and feed) and the "new feed address" button."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import BaseOperationView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import (
    DeleteView,
    EditView,
    IndexView,
)
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet

from booking.admin_views.scope import ScopedIndexMixin, ScopedObjectMixin, local_text
from booking.calendar.ics import feed_url
from booking.models import Consultant
from booking.services.consultants import consultant_rotate_feed_secret


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
        self.object = consultant_rotate_feed_secret(consultant=self.object, actor=self.request.user)

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
        return "Synced " + local_text(consultant.caldav_synced_at, consultant.tz)
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
