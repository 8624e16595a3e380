"""The booking app's routes: its part of ``/api/v1/`` (``urlpatterns``, included by
``config.api.urls``) and a consultant's private calendar feed (``feed_urlpatterns``, mounted at
the site's root by ``config.urls``: ``/booking/feeds/<secret>.ics``)."""

from django.urls import path

from booking.api.calendar import BookingInviteIcsApi, consultant_feed
from booking.api.slots import SlotListApi
from booking.api.views import CancelApi, HoldApi, HoldsApi, MyBookingsApi, RescheduleApi, TypesApi

urlpatterns = [
    path("booking/types/", TypesApi.as_view(), name="booking-types"),
    path("booking/holds/", HoldsApi.as_view(), name="booking-holds"),
    path("booking/holds/<int:pk>/", HoldApi.as_view(), name="booking-hold"),
    path("booking/bookings/<int:pk>/cancel/", CancelApi.as_view(), name="booking-cancel"),
    path("booking/bookings/<int:pk>/reschedule/", RescheduleApi.as_view(), name="booking-reschedule"),
    path("me/bookings/", MyBookingsApi.as_view(), name="me-bookings"),
    path("booking/slots/", SlotListApi.as_view(), name="booking-slots"),
    path("booking/bookings/<int:pk>/invite.ics", BookingInviteIcsApi.as_view(), name="booking-invite-ics"),
]
feed_urlpatterns = [
    path("booking/feeds/<str:secret>.ics", consultant_feed, name="booking-feed"),
]
