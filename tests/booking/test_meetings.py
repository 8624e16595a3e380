"""Meeting links: Jitsi by default, Zoom and Google Meet through their APIs, answered here at the
HTTP boundary (``responses``) with the payloads their documentation shows. Any request a test did
not register fails it, so "no API call" is asserted by registering none."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from freezegun import freeze_time
from responses import matchers

from booking.meetings import (
    GOOGLE_TOKEN_URL,
    MEET_API_URL,
    ZOOM_API_URL,
    ZOOM_TOKEN_URL,
    MeetingNotConfigured,
    MeetingRefused,
    MeetingUnavailable,
    meeting_delete,
    meeting_ensure,
    meeting_update,
    provider_for,
)
from booking.models import Booking, MeetingProvider
from tests.booking.conftest import booking_make

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
START = datetime(2026, 4, 14, 8, 0, tzinfo=UTC)  # 10:00 in Berlin

ZOOM_TOKEN = {
    "access_token": "eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCIsImtpZCI6ImE3ZTQ5In0.zoom-one",
    "token_type": "bearer",
    "expires_in": 3599,
    "scope": "meeting:write:meeting:admin meeting:update:meeting:admin meeting:delete:meeting:admin",
    "api_url": "https://api.zoom.us",
}
ZOOM_MEETING = {
    "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
    "id": 85746065432,
    "host_id": "KDcuGIm1QgePTO8WbOqwIQ",
    "host_email": "beraterin@phialo.example",
    "topic": "Schmuckberatung – Anna Goldschmied",
    "type": 2,
    "status": "waiting",
    "start_time": "2026-04-14T08:00:00Z",
    "duration": 60,
    "timezone": "Europe/Berlin",
    "agenda": "Eine Stunde zu Entwurf, Material und Technik.",
    "created_at": "2026-04-01T10:00:00Z",
    "start_url": "https://us05web.zoom.us/s/85746065432?zak=eyJ0eXAiOiJKV1QiLCJzdiI6IjAwMDAwMSJ9.host",
    "join_url": "https://us05web.zoom.us/j/85746065432?pwd=Q2Fmc3BwNnFuV1BzTmJyaGhSUkYyQT09.1",
    "password": "7bWqhn",
    "h323_password": "468215",
    "pstn_password": "468215",
    "encrypted_password": "Q2Fmc3BwNnFuV1BzTmJyaGhSUkYyQT09.1",
    "pre_schedule": False,
    "settings": {
        "host_video": False,
        "participant_video": False,
        "join_before_host": False,
        "mute_upon_entry": False,
        "approval_type": 2,
        "audio": "voip",
        "auto_recording": "none",
        "waiting_room": True,
        "email_notification": False,
    },
}
GOOGLE_TOKEN = {
    "access_token": "ya29.a0AfB_byC2mQ7xv-google-one",
    "expires_in": 3599,
    "scope": "https://www.googleapis.com/auth/meetings.space.created",
    "token_type": "Bearer",
}
MEET_SPACE = {
    "name": "spaces/jQCFfuBOdN5z",
    "meetingUri": "https://meet.google.com/abc-mnop-xyz",
    "meetingCode": "abc-mnop-xyz",
    "config": {"accessType": "OPEN", "entryPointAccess": "ALL"},
}


@pytest.fixture(autouse=True)
def _providers_configured(settings):
    settings.JITSI_BASE_URL = "https://meet.jit.si"
    settings.ZOOM_ACCOUNT_ID = "lAAAACg5RXeTiTXdb-7z-A"
    settings.ZOOM_CLIENT_ID = "zoom-client-id"
    settings.ZOOM_CLIENT_SECRET = "zoom-client-secret"
    settings.ZOOM_USER_ID = "me"
    settings.GOOGLE_MEET_CLIENT_ID = "1234-abc.apps.googleusercontent.com"
    settings.GOOGLE_MEET_CLIENT_SECRET = "GOCSPX-google-secret"
    settings.GOOGLE_MEET_REFRESH_TOKEN = "1//0g-refresh-token"


@pytest.fixture
def http():
    """The providers' side of the wire; a request nobody registered fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def _booking(consultant, consultation_type, provider: str, start: datetime = START, **fields) -> Booking:
    consultant.meeting_provider = provider
    consultant.save(update_fields=["meeting_provider"])
    booking = booking_make(consultant, consultation_type, start, time_zone="Europe/Berlin", **fields)
    return Booking.objects.select_related("type", "consultant", "user").get(pk=booking.pk)


def _reloaded(booking: Booking) -> Booking:
    return Booking.objects.select_related("type", "consultant", "user").get(pk=booking.pk)


def _zoom_token(http, times: int = 1) -> None:
    basic = base64.b64encode(b"zoom-client-id:zoom-client-secret").decode()
    for _ in range(times):
        http.post(
            ZOOM_TOKEN_URL,
            json=ZOOM_TOKEN,
            match=[
                matchers.header_matcher({"Authorization": f"Basic {basic}"}),
                matchers.urlencoded_params_matcher(
                    {"grant_type": "account_credentials", "account_id": "lAAAACg5RXeTiTXdb-7z-A"}
                ),
            ],
        )


def _bearer(token: str):
    return matchers.header_matcher({"Authorization": f"Bearer {token}"})


# ---- Jitsi ---------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_jitsi_is_the_default_and_needs_no_api(consultant, consultation_type, http):
    first = _booking(consultant, consultation_type, MeetingProvider.JITSI)
    second = _booking(consultant, consultation_type, MeetingProvider.JITSI, start=START + timedelta(hours=2))

    meeting_ensure(first)
    meeting_ensure(second)

    first, second = _reloaded(first), _reloaded(second)
    assert first.meeting_provider == MeetingProvider.JITSI
    assert first.meeting_url.startswith("https://meet.jit.si/Phialo-")
    room = first.meeting_url.rsplit("/", 1)[1]
    assert len(room) >= len("Phialo-") + 24  # 18 random bytes, URL-safe
    assert first.meeting_url != second.meeting_url
    assert len(http.calls) == 0


@freeze_time(NOW)
def test_a_booking_keeps_its_meeting_when_ensured_again(consultant, consultation_type, http, settings):
    booking = _booking(consultant, consultation_type, MeetingProvider.JITSI)
    meeting_ensure(booking)
    url = booking.meeting_url

    meeting_ensure(_reloaded(booking))
    meeting_update(_reloaded(booking))  # a Jitsi room has no time: nothing to move
    meeting_delete(_reloaded(booking))

    assert _reloaded(booking).meeting_url == url


@freeze_time(NOW)
def test_jitsi_base_url_can_be_a_self_hosted_server(consultant, consultation_type, http, settings):
    settings.JITSI_BASE_URL = "https://video.phialo.example/"
    booking = _booking(consultant, consultation_type, MeetingProvider.JITSI)

    meeting_ensure(booking)

    assert _reloaded(booking).meeting_url.startswith("https://video.phialo.example/Phialo-")


# ---- Zoom ----------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_zoom_meeting_is_created_with_a_server_to_server_token(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    _zoom_token(http)
    http.post(
        f"{ZOOM_API_URL}/users/me/meetings",
        status=201,
        json=ZOOM_MEETING,
        match=[_bearer(ZOOM_TOKEN["access_token"])],
    )

    meeting_ensure(booking)

    stored = _reloaded(booking)
    assert stored.meeting_provider == MeetingProvider.ZOOM
    assert stored.meeting_url == ZOOM_MEETING["join_url"]
    assert stored.meeting_id == "85746065432"
    sent = json.loads(http.calls[1].request.body)
    assert sent["type"] == 2
    assert sent["start_time"] == "2026-04-14T08:00:00Z"
    assert sent["duration"] == 60
    assert sent["timezone"] == "Europe/Berlin"
    assert sent["topic"] == "Schmuckberatung – Anna Goldschmied"
    assert sent["settings"]["waiting_room"] is True


@freeze_time(NOW)
def test_zoom_token_is_reused_until_it_expires(consultant, consultation_type, http):
    _zoom_token(http, times=2)
    http.post(f"{ZOOM_API_URL}/users/me/meetings", status=201, json=ZOOM_MEETING)
    http.post(f"{ZOOM_API_URL}/users/me/meetings", status=201, json={**ZOOM_MEETING, "id": 85746065433})
    http.post(f"{ZOOM_API_URL}/users/me/meetings", status=201, json={**ZOOM_MEETING, "id": 85746065434})

    for hours in (0, 2):
        meeting_ensure(
            _booking(
                consultant, consultation_type, MeetingProvider.ZOOM, start=START + timedelta(hours=hours)
            )
        )
    with freeze_time(NOW + timedelta(hours=1)):
        meeting_ensure(
            _booking(consultant, consultation_type, MeetingProvider.ZOOM, start=START + timedelta(hours=4))
        )

    token_calls = [call for call in http.calls if call.request.url == ZOOM_TOKEN_URL]
    assert len(token_calls) == 2  # one for the first hour, a fresh one after it


@freeze_time(NOW)
def test_zoom_meeting_moves_with_the_booking(consultant, consultation_type, http):
    booking = _booking(
        consultant,
        consultation_type,
        MeetingProvider.ZOOM,
        meeting_provider=MeetingProvider.ZOOM,
        meeting_url=ZOOM_MEETING["join_url"],
        meeting_id="85746065432",
    )
    booking.start, booking.end = START + timedelta(days=1), START + timedelta(days=1, hours=1)
    _zoom_token(http)
    http.patch(
        f"{ZOOM_API_URL}/meetings/85746065432",
        status=204,
        match=[
            matchers.json_params_matcher(
                {
                    "topic": "Schmuckberatung – Anna Goldschmied",
                    "type": 2,
                    "start_time": "2026-04-15T08:00:00Z",
                    "duration": 60,
                    "timezone": "Europe/Berlin",
                }
            )
        ],
    )

    meeting_update(booking)

    assert _reloaded(booking).meeting_url == ZOOM_MEETING["join_url"]  # Zoom keeps the link


@freeze_time(NOW)
def test_zoom_meeting_is_deleted_on_cancellation_and_a_second_delete_is_harmless(
    consultant, consultation_type, http
):
    booking = _booking(
        consultant,
        consultation_type,
        MeetingProvider.ZOOM,
        meeting_provider=MeetingProvider.ZOOM,
        meeting_url=ZOOM_MEETING["join_url"],
        meeting_id="85746065432",
    )
    _zoom_token(http)
    http.delete(f"{ZOOM_API_URL}/meetings/85746065432", status=204)
    http.delete(
        f"{ZOOM_API_URL}/meetings/85746065432",
        status=404,
        json={"code": 3001, "message": "Meeting does not exist: 85746065432."},
    )

    meeting_delete(booking)
    meeting_delete(booking)

    assert [call.request.method for call in http.calls] == ["POST", "DELETE", "DELETE"]


@freeze_time(NOW)
def test_zoom_server_error_is_a_retryable_error_and_stores_nothing(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    _zoom_token(http)
    http.post(
        f"{ZOOM_API_URL}/users/me/meetings",
        status=503,
        json={"code": 503, "message": "The service is temporarily unavailable."},
    )

    with pytest.raises(MeetingUnavailable, match="temporarily unavailable") as raised:
        meeting_ensure(booking)

    assert raised.value.status == 503
    assert _reloaded(booking).meeting_url == ""


@freeze_time(NOW)
def test_zoom_refusal_names_zooms_reason(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    _zoom_token(http)
    http.post(
        f"{ZOOM_API_URL}/users/me/meetings",
        status=400,
        json={"code": 300, "message": "Invalid parameter: start_time."},
    )

    with pytest.raises(MeetingRefused, match="Invalid parameter: start_time"):
        meeting_ensure(booking)


@freeze_time(NOW)
def test_zoom_bad_credentials_are_a_clear_refusal(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    http.post(
        ZOOM_TOKEN_URL,
        status=400,
        json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
    )

    with pytest.raises(MeetingRefused, match="Invalid client_id or client_secret"):
        meeting_ensure(booking)


@freeze_time(NOW)
def test_zoom_network_failure_is_retryable(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    _zoom_token(http)
    http.post(f"{ZOOM_API_URL}/users/me/meetings", body=requests.ConnectionError("connection reset"))

    with pytest.raises(MeetingUnavailable, match="connection reset"):
        meeting_ensure(booking)


@freeze_time(NOW)
def test_a_revoked_zoom_token_is_replaced_once(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    _zoom_token(http, times=2)
    http.post(
        f"{ZOOM_API_URL}/users/me/meetings",
        status=401,
        json={"code": 124, "message": "Invalid access token."},
    )
    http.post(f"{ZOOM_API_URL}/users/me/meetings", status=201, json=ZOOM_MEETING)

    meeting_ensure(booking)

    assert _reloaded(booking).meeting_id == "85746065432"


@freeze_time(NOW)
def test_zoom_without_credentials_falls_back_to_jitsi(consultant, consultation_type, http, settings, caplog):
    settings.ZOOM_CLIENT_SECRET = ""
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)

    with pytest.raises(MeetingNotConfigured, match="ZOOM_CLIENT_SECRET"):
        provider_for(booking)
    meeting_ensure(booking)

    stored = _reloaded(booking)
    assert stored.meeting_provider == MeetingProvider.JITSI
    assert stored.meeting_url.startswith("https://meet.jit.si/Phialo-")
    assert "ZOOM_CLIENT_SECRET" in caplog.text


@freeze_time(NOW)
def test_a_meeting_stays_with_its_provider_when_the_consultant_switches(consultant, consultation_type, http):
    booking = _booking(
        consultant,
        consultation_type,
        MeetingProvider.GOOGLE_MEET,
        meeting_provider=MeetingProvider.ZOOM,
        meeting_url=ZOOM_MEETING["join_url"],
        meeting_id="85746065432",
    )
    _zoom_token(http)
    http.delete(f"{ZOOM_API_URL}/meetings/85746065432", status=204)

    meeting_delete(booking)  # goes to Zoom, where the meeting is, not to Google


@freeze_time(NOW)
def test_a_concurrent_run_that_lost_deletes_its_spare_meeting(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.ZOOM)
    # Another worker stored its meeting after this one read the booking.
    Booking.objects.filter(pk=booking.pk).update(
        meeting_provider=MeetingProvider.ZOOM, meeting_url="https://us05web.zoom.us/j/111", meeting_id="111"
    )
    _zoom_token(http)
    http.post(f"{ZOOM_API_URL}/users/me/meetings", status=201, json=ZOOM_MEETING)
    http.delete(f"{ZOOM_API_URL}/meetings/85746065432", status=204)

    meeting_ensure(booking)

    assert booking.meeting_url == "https://us05web.zoom.us/j/111"
    assert _reloaded(booking).meeting_id == "111"


# ---- Google Meet ---------------------------------------------------------------------------------


def _google_token(http) -> None:
    http.post(
        GOOGLE_TOKEN_URL,
        json=GOOGLE_TOKEN,
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": "1234-abc.apps.googleusercontent.com",
                    "client_secret": "GOCSPX-google-secret",
                    "refresh_token": "1//0g-refresh-token",
                    "grant_type": "refresh_token",
                }
            )
        ],
    )


@freeze_time(NOW)
def test_google_meet_space_is_created_with_a_refreshed_token(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.GOOGLE_MEET)
    _google_token(http)
    http.post(
        f"{MEET_API_URL}/spaces",
        json=MEET_SPACE,
        match=[
            _bearer(GOOGLE_TOKEN["access_token"]),
            matchers.json_params_matcher({"config": {"accessType": "OPEN"}}),
        ],
    )

    meeting_ensure(booking)

    stored = _reloaded(booking)
    assert stored.meeting_provider == MeetingProvider.GOOGLE_MEET
    assert stored.meeting_url == "https://meet.google.com/abc-mnop-xyz"
    assert stored.meeting_id == "spaces/jQCFfuBOdN5z"


@freeze_time(NOW)
def test_google_meet_space_survives_a_reschedule_and_is_closed_on_cancellation(
    consultant, consultation_type, http
):
    booking = _booking(
        consultant,
        consultation_type,
        MeetingProvider.GOOGLE_MEET,
        meeting_provider=MeetingProvider.GOOGLE_MEET,
        meeting_url="https://meet.google.com/abc-mnop-xyz",
        meeting_id="spaces/jQCFfuBOdN5z",
    )
    _google_token(http)
    http.patch(
        f"{MEET_API_URL}/spaces/jQCFfuBOdN5z",
        json={**MEET_SPACE, "config": {"accessType": "RESTRICTED", "entryPointAccess": "ALL"}},
        match=[
            matchers.query_param_matcher({"updateMask": "config.accessType"}),
            matchers.json_params_matcher({"config": {"accessType": "RESTRICTED"}}),
        ],
    )

    meeting_update(booking)  # a space has no time: no call
    assert len(http.calls) == 0
    meeting_delete(booking)

    assert _reloaded(booking).meeting_url == "https://meet.google.com/abc-mnop-xyz"
    assert [call.request.method for call in http.calls] == ["POST", "PATCH"]


@freeze_time(NOW)
def test_google_meet_permission_error_is_a_refusal_with_googles_message(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.GOOGLE_MEET)
    _google_token(http)
    http.post(
        f"{MEET_API_URL}/spaces",
        status=403,
        json={
            "error": {
                "code": 403,
                "message": "Request had insufficient authentication scopes.",
                "status": "PERMISSION_DENIED",
            }
        },
    )

    with pytest.raises(MeetingRefused, match="insufficient authentication scopes") as raised:
        meeting_ensure(booking)
    assert raised.value.status == 403


@freeze_time(NOW)
def test_google_meet_outage_is_retryable(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.GOOGLE_MEET)
    _google_token(http)
    http.post(
        f"{MEET_API_URL}/spaces",
        status=503,
        json={
            "error": {
                "code": 503,
                "message": "The service is currently unavailable.",
                "status": "UNAVAILABLE",
            }
        },
    )

    with pytest.raises(MeetingUnavailable):
        meeting_ensure(booking)
    assert _reloaded(booking).meeting_url == ""


@freeze_time(NOW)
def test_google_meet_revoked_refresh_token_is_a_clear_refusal(consultant, consultation_type, http):
    booking = _booking(consultant, consultation_type, MeetingProvider.GOOGLE_MEET)
    http.post(
        GOOGLE_TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )

    with pytest.raises(MeetingRefused, match="Token has been expired or revoked"):
        meeting_ensure(booking)
