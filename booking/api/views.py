"""``/api/v1/booking/…`` and ``/api/v1/me/bookings/``: thin views over ``booking.services``
and ``booking.selectors`` (the routes are in ``booking.api.urls``).

- ``GET booking/types/``: public; for a logged-in caller each type says whether the first-timer
  price applies (``private`` then), anonymous callers get a briefly cacheable answer.
- ``POST booking/holds/`` ``{"type", "start", "time_zone"}``: a hold and the basket line paying
  for it (201); ``Idempotency-Key`` replays. ``DELETE booking/holds/{id}/`` drops a hold.
- ``POST booking/bookings/{id}/cancel/`` ``{"reason"?}`` and ``…/reschedule/`` ``{"start"}``.
- ``GET me/bookings/``: the caller's bookings, upcoming first, then past.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.authentication import PERSONAL_AUTHENTICATION
from accounts.api.views import PersonalApi
from booking import selectors
from booking.api.serializers import BookingSerializer, TypeSerializer, booking_items, type_item
from booking.models import Booking
from booking.services.cancellations import booking_cancel
from booking.services.holds import hold_place, hold_release
from booking.services.rescheduling import booking_reschedule
from core.api import ERROR
from core.errors import ApiError
from core.locale import SUPPORTED, person_language, resolve_locale

PUBLIC_MAX_AGE = 60
IDEMPOTENCY_KEY_MAX_LENGTH = 255


def _invalid(serializer: serializers.Serializer) -> ApiError:
    return ApiError("invalid", "Some fields are not valid.", fields=serializer.errors)


class TypesApi(APIView):
    authentication_classes = PERSONAL_AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="booking_types_list",
        parameters=[OpenApiParameter("locale", str, enum=list(SUPPORTED), required=False)],
        responses={200: TypeSerializer(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        types, first_timer = selectors.types_on_sale(user=user, locale=resolve_locale(request))
        items = [type_item(source, translated, first_timer=first_timer) for source, translated in types]
        response = Response(TypeSerializer(items, many=True).data)
        if user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: a wall-clock time without its offset is ambiguous (twice a year it names two
    instants, or none), so it is refused rather than guessed."""

    default_error_messages = {"naive": "Give the time with its UTC offset, e.g. 2026-06-01T12:00:00+02:00."}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class HoldRequestSerializer(serializers.Serializer):
    type = serializers.UUIDField(help_text="The consultation type's id (from `booking/types/`)")
    start = AwareDateTimeField(help_text="A free start from `booking/slots/`, ISO 8601 with offset")
    time_zone = serializers.CharField(
        required=False,
        help_text="The shopper's IANA time zone, for invites and e-mails (default Europe/Berlin)",
    )


class HoldSerializer(BookingSerializer):
    basket_line_id = serializers.IntegerField(
        help_text="The line in the shopper's basket that pays for the hold"
    )


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "")
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ApiError(
            "invalid", "The Idempotency-Key is too long.", fields={"Idempotency-Key": ["Too long."]}
        )
    return key


class HoldsApi(PersonalApi):
    @extend_schema(
        operation_id="booking_holds_create",
        request=HoldRequestSerializer,
        parameters=[
            OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER, required=False)
        ],
        responses={
            201: HoldSerializer,
            400: ERROR,
            401: ERROR,
            409: OpenApiResponse(ERROR, description="`slot_taken`, `limit_reached`, `first_timer_held`, ..."),
            422: OpenApiResponse(
                ERROR, description="`in_the_past`, `too_soon`, `beyond_horizon`, `outside_hours`"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = HoldRequestSerializer(data=request.data)
        if not body.is_valid():
            raise _invalid(body)
        booking = hold_place(
            user=request.user,
            type_key=body.validated_data["type"],
            start=body.validated_data["start"],
            time_zone=body.validated_data.get("time_zone") or "Europe/Berlin",
            request=request,
            idempotency_key=_idempotency_key(request),
        )
        item = _items([booking], person_language(request.user))[0]
        return Response({**item, "basket_line_id": booking.basket_line_id}, status=status.HTTP_201_CREATED)


def _items(bookings: list[Booking], locale: str) -> list[dict]:
    titles, paid = selectors.booking_extras(bookings, locale)
    return booking_items(bookings, titles=titles, paid=paid)


def _own_booking(request: Request, pk: int) -> Booking:
    booking = selectors.own_booking(user=request.user, pk=pk)
    if booking is None:
        raise ApiError("booking_not_found", "You have no booking with this id.", status=404)
    return booking


class HoldApi(PersonalApi):
    @extend_schema(
        operation_id="booking_holds_destroy", responses={204: None, 401: ERROR, 404: ERROR, 409: ERROR}
    )
    def delete(self, request: Request, pk: int) -> Response:
        hold_release(booking=_own_booking(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class CancelApi(PersonalApi):
    @extend_schema(
        operation_id="booking_cancel",
        request=CancelRequestSerializer,
        responses={200: BookingSerializer, 400: ERROR, 401: ERROR, 404: ERROR, 409: ERROR},
        description="Cancel under the policy: a full refund until `cancellation.free_until`, none after.",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = CancelRequestSerializer(data=request.data)
        if not body.is_valid():
            raise _invalid(body)
        booking = booking_cancel(
            booking=_own_booking(request, pk),
            by=Booking.CancelledBy.SHOPPER,
            reason=body.validated_data.get("reason", ""),
            actor=request.user,
        )
        return Response(_items([booking], resolve_locale(request))[0])


class RescheduleRequestSerializer(serializers.Serializer):
    start = AwareDateTimeField(help_text="A free start from `booking/slots/`, ISO 8601 with offset")


class RescheduleApi(PersonalApi):
    @extend_schema(
        operation_id="booking_reschedule",
        request=RescheduleRequestSerializer,
        responses={200: BookingSerializer, 400: ERROR, 401: ERROR, 404: ERROR, 409: ERROR, 422: ERROR},
        description="Move to another free start; the payment stays with the booking.",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = RescheduleRequestSerializer(data=request.data)
        if not body.is_valid():
            raise _invalid(body)
        booking = booking_reschedule(booking=_own_booking(request, pk), start=body.validated_data["start"])
        return Response(_items([booking], resolve_locale(request))[0])


class MyBookingsApi(PersonalApi):
    @extend_schema(
        operation_id="me_bookings_list",
        parameters=[OpenApiParameter("locale", str, enum=list(SUPPORTED), required=False)],
        responses={200: BookingSerializer(many=True), 401: ERROR},
        description="Held, confirmed, cancelled and past bookings (not lapsed or dropped holds): "
        "upcoming first, soonest first; then past ones, latest first.",
    )
    def get(self, request: Request) -> Response:
        bookings = selectors.bookings_of_user(user=request.user, now=timezone.now())
        return Response(_items(bookings, resolve_locale(request)))
