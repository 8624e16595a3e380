"""Consultations in the Wagtail admin (``booking.admin_views``): the "Consultations" menu with
bookings, consultants and the consultation types (a translatable snippet)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from booking.admin_views.menu import ConsultationsViewSetGroup
from booking.admin_views.scope import booking_policy, consultant_policy
from booking.models import Booking, Consultant
from booking.services.consultants import FEED_ROTATED_ACTION

# Before any viewset asks: the first to ask for a model's policy would otherwise get Wagtail's
# plain model-permission fallback, which knows nothing of a consultant's own rows.
register_permission_policy(Consultant, consultant_policy)
register_permission_policy(Booking, booking_policy)

# Through register_snippet, like the shop's plans: the types' viewset is a snippet viewset (locale
# filter, translate actions, chooser), and the group brings the bookings and consultants along.
register_snippet(ConsultationsViewSetGroup)


@hooks.register("register_log_actions")
def booking_log_actions(actions) -> None:
    """The consultant's history names a renewed feed address (``consultant_rotate_feed_secret``)."""
    actions.register_action(FEED_ROTATED_ACTION, _("Feed address renewed"), _("Feed address renewed"))
