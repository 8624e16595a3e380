"""The video meeting of a booking: a provider interface and three providers.

**Jitsi Meet** is the default: a room exists as soon as someone opens its URL, so a booking gets an
unguessable room name and no API is called (``JITSI_BASE_URL``, e.g. a self-hosted server).
**Zoom** makes a scheduled meeting through Server-to-Server OAuth (``ZOOM_ACCOUNT_ID``,
``ZOOM_CLIENT_ID``, ``ZOOM_CLIENT_SECRET``; the host is ``ZOOM_USER_ID``, ``me`` being the app's
owner); a reschedule moves it, a cancellation deletes it. **Google Meet** makes a meeting space
through the Meet REST API with a refresh token of the studio's Google account
(``GOOGLE_MEET_CLIENT_ID``, ``GOOGLE_MEET_CLIENT_SECRET``, ``GOOGLE_MEET_REFRESH_TOKEN``, scope
``https://www.googleapis.com/auth/meetings.space.created``). A space has no time, so a reschedule
keeps it; the API cannot delete one, so a cancellation closes it (``accessType: RESTRICTED``:
only invitees get in without knocking).

The provider is the consultant's choice when the meeting is made, then the booking's
(``Booking.meeting_provider``): changing a consultant's provider never strands a meeting made
elsewhere. A consultant set to Zoom or Meet whose credentials are missing gets a Jitsi room and an
error in the log: a working link for the shopper beats none. A provider that is unreachable or
answers 5xx/429 raises :class:`MeetingUnavailable` (retry later); one that refuses raises
:class:`MeetingRefused` (a retry will not help until someone fixes the configuration).

Access tokens are cached (Django's cache) until shortly before they expire, so a busy hour costs
one token request per provider, not one per meeting; a 401 drops the cached token and tries once
more with a fresh one.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from booking.models import Booking
from booking.models import MeetingProvider as ProviderName

logger = logging.getLogger(__name__)

# A shopper waits for nothing here (the calls run in Celery), but a hung provider must not hold a
# worker: give up and let the task retry.
HTTP_TIMEOUT_SECONDS = 15
# A cached token is dropped this long before the provider says it expires.
TOKEN_MARGIN_SECONDS = 120

ZOOM_TOKEN_URL = "https://zoom.us/oauth/token"  # noqa: S105 — a URL, not a secret
ZOOM_API_URL = "https://api.zoom.us/v2"
# Zoom's error code for a meeting that is not there (deleted already).
ZOOM_MEETING_MISSING = 3001
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 — a URL
MEET_API_URL = "https://meet.googleapis.com/v2"


class MeetingError(Exception):
    """A provider could not make, move or close a meeting."""

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status = status


class MeetingUnavailable(MeetingError):
    """Network error, timeout, 429 or 5xx: the same call may well work later. Retry it."""


class MeetingRefused(MeetingError):
    """The provider said no (bad credentials, missing scope, invalid request): fix, then retry."""


class MeetingNotConfigured(MeetingRefused):
    """The provider's settings are empty."""


@dataclass(frozen=True)
class Meeting:
    url: str
    id: str


class MeetingProvider:
    """What every provider does. ``update`` returns the meeting when its link changed, else None."""

    name: str

    def create(self, booking: Booking) -> Meeting:
        raise NotImplementedError

    def update(self, booking: Booking) -> Meeting | None:
        return None

    def delete(self, booking: Booking) -> None:
        return None


# ---- HTTP ----------------------------------------------------------------------------------------


def _send(provider: str, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request; any transport failure becomes :class:`MeetingUnavailable`."""
    try:
        return requests.request(method, url, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        raise MeetingUnavailable(provider, f"{method} {url} failed: {error}") from error


def _refusal(provider: str, response: requests.Response) -> MeetingError:
    """The right exception for an unsuccessful answer, with the provider's own words."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("error") if isinstance(body.get("error"), dict) else body  # Google nests it
    words = (
        detail.get("message")
        or detail.get("error_description")
        or detail.get("reason")
        or detail.get("error")
        or response.text[:200]
    )
    message = f"{response.request.method} {response.url} answered {response.status_code}: {words}"
    if response.status_code == 429 or response.status_code >= 500:
        return MeetingUnavailable(provider, message, status=response.status_code)
    return MeetingRefused(provider, message, status=response.status_code)


def _token(provider: str, cache_key: str, fetch: Callable[[], requests.Response]) -> str:
    """The provider's access token, from the cache while it has time left, else fetched. The
    expiry travels with the token (the cache's own timeout is only the upper bound) so the
    clock that decides is this process's."""
    cached = cache.get(cache_key)
    if cached and cached["expires_at"] > time.time():
        return cached["token"]
    response = fetch()
    if not response.ok:
        raise _refusal(provider, response)
    payload = response.json()
    lifetime = max(int(payload.get("expires_in") or 3600) - TOKEN_MARGIN_SECONDS, 60)
    cache.set(
        cache_key, {"token": payload["access_token"], "expires_at": time.time() + lifetime}, timeout=lifetime
    )
    return payload["access_token"]


class _OAuthApi:
    """Calls to one provider's API with a cached bearer token, refreshed once on 401."""

    name: str
    token_cache_key: str

    def _fetch_token(self) -> requests.Response:
        raise NotImplementedError

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        for attempt in (1, 2):
            token = _token(self.name, self.token_cache_key, self._fetch_token)
            response = _send(self.name, method, url, headers={"Authorization": f"Bearer {token}"}, **kwargs)
            if response.status_code == 401 and attempt == 1:
                cache.delete(self.token_cache_key)  # revoked or expired early: one fresh try
                continue
            return response
        return response


def _missing(names: list[str]) -> list[str]:
    return [name for name in names if not getattr(settings, name, "")]


# ---- Providers -----------------------------------------------------------------------------------


class JitsiProvider(MeetingProvider):
    """A room per booking, named so nobody can guess it (144 random bits)."""

    name = ProviderName.JITSI

    def create(self, booking: Booking) -> Meeting:
        room = f"Phialo-{secrets.token_urlsafe(18)}"
        return Meeting(url=f"{settings.JITSI_BASE_URL.rstrip('/')}/{room}", id=room)


def _topic(booking: Booking) -> str:
    return f"{booking.type.title} – {booking.consultant.display_name}"


def _zoom_schedule(booking: Booking) -> dict[str, Any]:
    """Start (UTC), length, and the zone Zoom shows the host (the consultant) the time in."""
    start = booking.start.astimezone(UTC)
    return {
        "topic": _topic(booking)[:200],
        "type": 2,  # scheduled
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": int((booking.end - booking.start).total_seconds() // 60),
        "timezone": booking.consultant.time_zone,
    }


class ZoomProvider(MeetingProvider, _OAuthApi):
    name = ProviderName.ZOOM
    token_cache_key = "booking:meetings:zoom-token"  # noqa: S105 — a cache key
    SETTINGS = ["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"]

    def __init__(self) -> None:
        missing = _missing(self.SETTINGS)
        if missing:
            raise MeetingNotConfigured(self.name, f"set {', '.join(missing)} to make Zoom meetings")

    def _fetch_token(self) -> requests.Response:
        return _send(
            self.name,
            "POST",
            ZOOM_TOKEN_URL,
            auth=(settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET),
            data={"grant_type": "account_credentials", "account_id": settings.ZOOM_ACCOUNT_ID},
        )

    def create(self, booking: Booking) -> Meeting:
        body = {
            **_zoom_schedule(booking),
            "agenda": booking.type.summary[:2000],
            "settings": {
                "join_before_host": False,
                "waiting_room": True,
                "approval_type": 2,  # no registration
                "email_notification": False,  # our e-mails tell the shopper
            },
        }
        user = settings.ZOOM_USER_ID or "me"
        response = self._call("POST", f"{ZOOM_API_URL}/users/{user}/meetings", json=body)
        if response.status_code != 201:
            raise _refusal(self.name, response)
        meeting = response.json()
        return Meeting(url=meeting["join_url"], id=str(meeting["id"]))

    def update(self, booking: Booking) -> Meeting | None:
        response = self._call(
            "PATCH", f"{ZOOM_API_URL}/meetings/{booking.meeting_id}", json=_zoom_schedule(booking)
        )
        if response.status_code != 204:
            raise _refusal(self.name, response)
        return None  # Zoom keeps the join URL when a meeting moves

    def delete(self, booking: Booking) -> None:
        response = self._call(
            "DELETE",
            f"{ZOOM_API_URL}/meetings/{booking.meeting_id}",
            params={"cancel_meeting_reminder": "false"},
        )
        if response.status_code == 204:
            return
        if response.status_code == 404 and _zoom_code(response) == ZOOM_MEETING_MISSING:
            return  # deleted already (a second run, or by hand in Zoom)
        raise _refusal(self.name, response)


def _zoom_code(response: requests.Response) -> int | None:
    try:
        return int(response.json().get("code"))
    except (ValueError, TypeError, AttributeError):
        return None


class GoogleMeetProvider(MeetingProvider, _OAuthApi):
    name = ProviderName.GOOGLE_MEET
    token_cache_key = "booking:meetings:google-meet-token"  # noqa: S105 — a cache key
    SETTINGS = ["GOOGLE_MEET_CLIENT_ID", "GOOGLE_MEET_CLIENT_SECRET", "GOOGLE_MEET_REFRESH_TOKEN"]

    def __init__(self) -> None:
        missing = _missing(self.SETTINGS)
        if missing:
            raise MeetingNotConfigured(self.name, f"set {', '.join(missing)} to make Google Meet spaces")

    def _fetch_token(self) -> requests.Response:
        return _send(
            self.name,
            "POST",
            GOOGLE_TOKEN_URL,
            data={
                "client_id": settings.GOOGLE_MEET_CLIENT_ID,
                "client_secret": settings.GOOGLE_MEET_CLIENT_SECRET,
                "refresh_token": settings.GOOGLE_MEET_REFRESH_TOKEN,
                "grant_type": "refresh_token",
            },
        )

    def create(self, booking: Booking) -> Meeting:
        # The shopper is outside the studio's Google organisation: with the default (TRUSTED) they
        # would have to knock and wait to be let in. The link goes to them alone.
        body = {"config": {"accessType": "OPEN"}}
        response = self._call("POST", f"{MEET_API_URL}/spaces", json=body)
        if response.status_code != 200:
            raise _refusal(self.name, response)
        space = response.json()
        return Meeting(url=space["meetingUri"], id=space["name"])

    def delete(self, booking: Booking) -> None:
        response = self._call(
            "PATCH",
            f"{MEET_API_URL}/{booking.meeting_id}",
            params={"updateMask": "config.accessType"},
            json={"config": {"accessType": "RESTRICTED"}},
        )
        if response.status_code in (200, 404):  # closed, or gone already
            return
        raise _refusal(self.name, response)


PROVIDERS: dict[str, type[MeetingProvider]] = {
    ProviderName.JITSI: JitsiProvider,
    ProviderName.ZOOM: ZoomProvider,
    ProviderName.GOOGLE_MEET: GoogleMeetProvider,
}


def provider_for(booking: Booking) -> MeetingProvider:
    """The provider of the booking's meeting (once made), else the consultant's choice.
    Raises :class:`MeetingNotConfigured` when that provider's settings are empty."""
    name = booking.meeting_provider or booking.consultant.meeting_provider
    return PROVIDERS.get(name, JitsiProvider)()


# ---- Services ------------------------------------------------------------------------------------


def meeting_ensure(booking: Booking) -> None:
    """Give ``booking`` its meeting, once: a booking that has one keeps it. Two runs at once may
    both ask the provider; the first to store wins and the other's meeting is deleted again."""
    if booking.meeting_url:
        return
    try:
        provider = provider_for(booking)
    except MeetingNotConfigured as error:
        logger.error("Booking %s gets a Jitsi room instead: %s", booking.pk, error)
        provider = JitsiProvider()
    meeting = provider.create(booking)
    stored = Booking.objects.filter(pk=booking.pk, meeting_url="").update(
        meeting_provider=provider.name, meeting_url=meeting.url, meeting_id=meeting.id
    )
    if not stored:
        _discard(provider, booking, meeting)
        booking.refresh_from_db(fields=["meeting_provider", "meeting_url", "meeting_id"])
        return
    booking.meeting_provider, booking.meeting_url, booking.meeting_id = provider.name, meeting.url, meeting.id


def _discard(provider: MeetingProvider, booking: Booking, meeting: Meeting) -> None:
    """Delete the meeting a concurrent run made for nothing (best effort: it is only clutter)."""
    ghost = Booking(
        pk=booking.pk, meeting_provider=provider.name, meeting_id=meeting.id, meeting_url=meeting.url
    )
    try:
        provider.delete(ghost)
    except MeetingError:
        logger.warning(
            "Could not delete the spare %s meeting %s of booking %s.", provider.name, meeting.id, booking.pk
        )


def meeting_update(booking: Booking) -> None:
    """The booking moved: move its meeting (or make one, if it never got one)."""
    if not booking.meeting_url:
        meeting_ensure(booking)
        return
    meeting = provider_for(booking).update(booking)
    if meeting is not None:
        Booking.objects.filter(pk=booking.pk).update(meeting_url=meeting.url, meeting_id=meeting.id)
        booking.meeting_url, booking.meeting_id = meeting.url, meeting.id


def meeting_delete(booking: Booking) -> None:
    """The booking was cancelled: delete (Zoom) or close (Meet) its meeting. The link stays on the
    row for the record. Safe to run twice."""
    if not booking.meeting_url:
        return
    provider_for(booking).delete(booking)
