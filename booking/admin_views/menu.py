"""The "Consultations" menu of the Wagtail admin: bookings, consultants, and the consultation
types (a translatable snippet)."""

from __future__ import annotations

from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from booking.admin_views.bookings import BookingViewSet
from booking.admin_views.consultants import ConsultantViewSet
from booking.models import ConsultationType


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


class ConsultationsViewSetGroup(ViewSetGroup):
    """The "Consultations" menu: bookings, consultants, types."""

    menu_label = "Consultations"
    menu_icon = "date"
    menu_order = 260
    items = (BookingViewSet, ConsultantViewSet, ConsultationTypeViewSet)
