"""Consultations in the Wagtail admin, one module per screen:

- ``scope``: who sees which rows (a consultant only their own), the permission policies;
- ``consultants``: consultants, their hours, overrides, calendar and feed address;
- ``bookings``: the bookings' list, detail page and the staff's actions (cancel, mark);
- ``menu``: the "Consultations" menu and the consultation types (a translatable snippet).

Registered in ``booking.wagtail_hooks``; the writes they trigger are ``booking.services``.
"""
