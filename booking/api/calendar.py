"""Calendar files over HTTP: the shopper's invite and the consultant's private feed.

``GET /api/v1/booking/bookings/<pk>/invite.ics``: the invite of one of the caller's bookings
(401 when logged out; 404 ``booking_not_found`` for anyone else's, as for an unknown one; 404
``invite_not_ready`` for a hold not yet paid). Never cached.

``GET /booking/feeds/<secret>.ics``: the consultant's bookings for a calendar app to subscribe
to. The secret in the address is the only key (calendar apps cannot log in), so an unknown one is
a plain 404 and the answer is for the subscriber alone (``private``). It carries an ETag, so the
app's frequent polls mostly cost a 304.
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from accounts.api.views import PersonalApi
from booking import selectors
from booking.calendar.ics import feed_ics, invite_ics
from booking.models import Booking
from core.api import ERROR, ErrorsAsJson
from core.errors import ApiError

CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_MAX_AGE = 5 * 60
ICS = OpenApiResponse(OpenApiTypes.BINARY, description="An iCalendar file (RFC 5545).")


def _invite_booking(*, user, pk: int) -> Booking:
    booking = selectors.booking_for_invite(user=user, pk=pk)
    if booking is None:
        raise ApiError("booking_not_found", "No booking of yours has this number.", status=404)
    if booking.status in (Booking.Status.HELD, Booking.Status.EXPIRED):
        raise ApiError("invite_not_ready", "The invite exists once the booking is paid.", status=404)
    return booking


class BookingInviteIcsApi(PersonalApi):
    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        operation_id="booking_invite_ics",
        responses={(200, "text/calendar"): ICS, 401: ERROR, 404: ERROR},
        description="The calendar invite of one of the caller's bookings, as sent with the "
        "confirmation: `METHOD:REQUEST` with the current time and SEQUENCE, or `METHOD:CANCEL` "
        "once cancelled. 404 `booking_not_found` for a booking that is not the caller's; 404 "
        "`invite_not_ready` while it is only held.",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        booking = _invite_booking(user=request.user, pk=pk)
        response = HttpResponse(invite_ics(booking), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="phialo-booking-{booking.pk}.ics"'
        return response


@require_safe
def consultant_feed(request: HttpRequest, secret: str) -> HttpResponse:
    consultant = selectors.consultant_for_feed(secret)
    if consultant is None:
        raise Http404("No feed at this address.")
    body = feed_ics(consultant, now=timezone.now())
    # The stamps (DTSTAMP) change with every request; the ETag must not.
    digest = hashlib.sha256(b"\n".join(_stable_lines(body))).hexdigest()[:32]
    etag = f'"{digest}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = 'inline; filename="phialo-consultations.ics"'
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=FEED_MAX_AGE)
    return response


def _stable_lines(body: bytes) -> list[bytes]:
    return [line for line in body.splitlines() if not line.startswith(b"DTSTAMP")]
