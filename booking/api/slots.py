"""``GET /api/v1/booking/slots/?type=&from=&to=&tz=``: free start times of a consultation type.

Public and cacheable for a short while (no authentication, so no session is read): the answer is
the same for everyone, and a hold re-checks its start anyway. ``from`` and ``to`` are dates in the
time zone asked for (``tz``, default the consultant's), both included; the slots come back in that
zone with their offsets, as the same instants the consultant's rules give in UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors, slots
from booking.services.slot_taking import time_zone_check
from core.api import ERROR
from core.errors import ApiError

PUBLIC_MAX_AGE = 30  # seconds: a slot taken meanwhile is refused by the hold, not shown for long
DEFAULT_DAYS = 14
MAX_DAYS = 92


class SlotQuerySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The consultation type's id")
    tz = serializers.CharField(required=False, help_text="IANA time zone; default the consultant's")

    def get_fields(self):
        fields = super().get_fields()
        # ``from`` is a Python keyword: declared here so the query keeps its documented name.
        fields["from"] = serializers.DateField(
            required=False, help_text="First day (YYYY-MM-DD); default today"
        )
        fields["to"] = serializers.DateField(
            required=False, help_text=f"Last day, included; default from + {DEFAULT_DAYS - 1}"
        )
        return fields


SLOTS_RESPONSE = inline_serializer(
    "SlotList",
    {
        "type": serializers.UUIDField(),
        "time_zone": serializers.CharField(),
        "duration_minutes": serializers.IntegerField(),
        "slots": inline_serializer(
            "Slot", {"start": serializers.DateTimeField(), "end": serializers.DateTimeField()}, many=True
        ),
    },
)


def _type(key: str):
    found = selectors.consultation_type_for_key(key)
    if found is None:
        raise ApiError("unknown_type", "There is no such consultation type.", fields={"type": [key]})
    return found


def _days(first: date | None, last: date | None, *, today: date) -> tuple[date, date]:
    first = first or today
    last = last or first + timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise ApiError("invalid_range", "`to` is before `from`.", fields={"to": [str(last)]})
    if (last - first).days + 1 > MAX_DAYS:
        raise ApiError(
            "range_too_long", f"Ask for at most {MAX_DAYS} days at a time.", fields={"to": [str(last)]}
        )
    return first, last


def _midnight(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


class SlotListApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="booking_slots_list",
        parameters=[
            OpenApiParameter("type", str, required=True, description="The consultation type's id"),
            OpenApiParameter("from", date, description="First day in `tz` (YYYY-MM-DD); default today"),
            OpenApiParameter(
                "to",
                date,
                description=f"Last day in `tz`, included; default from + {DEFAULT_DAYS - 1};"
                f" at most {MAX_DAYS} days",
            ),
            OpenApiParameter(
                "tz", str, description="IANA time zone of the days and the answer; default the consultant's"
            ),
        ],
        responses={
            200: SLOTS_RESPONSE,
            400: OpenApiResponse(
                ERROR.response,
                description="`invalid` (a bad date), `invalid_range`, `range_too_long`, `unknown_time_zone`,"
                " `unknown_type`",
            ),
        },
        description="Free start times of a consultation type, each with its end, in the time zone asked for. "
        "Public; cached for 30 seconds. A hold (`POST /api/v1/booking/holds/`) re-checks its start.",
    )
    def get(self, request: Request) -> Response:
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        asked_tz = time_zone_check(params["tz"], field="tz") if params.get("tz") else None
        consultation_type = _type(params["type"])
        tz = asked_tz or consultation_type.consultant.tz
        now = timezone.now()
        first, last = _days(params.get("from"), params.get("to"), today=now.astimezone(tz).date())
        starts = selectors.free_slots(
            type=consultation_type,
            window_from=_midnight(first, tz),
            window_to=_midnight(last + timedelta(days=1), tz),
            now=now,
        )
        length = timedelta(minutes=consultation_type.duration_minutes)
        return Response(
            {
                "type": str(consultation_type.translation_key),
                "time_zone": tz.key,
                "duration_minutes": consultation_type.duration_minutes,
                "slots": [
                    {"start": slots.local_iso(start, tz), "end": slots.local_iso(start + length, tz)}
                    for start in starts
                ],
            }
        )

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response
