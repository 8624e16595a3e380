"""The booking app's part of ``/api/v1/``."""

from booking.api import calendar, slots, views

urlpatterns = [*views.urlpatterns, *slots.urlpatterns, *calendar.api_urlpatterns]
