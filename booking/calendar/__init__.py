"""Calendars of consultations: ICS invites and the consultant's feed (``ics``), the CalDAV sync
with the consultant's own calendar (``caldav_sync``) and its Celery tasks (``tasks``)."""
