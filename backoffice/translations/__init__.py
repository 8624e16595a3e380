"""The translation status page of the Wagtail admin: which German pages and snippets lack an
up-to-date English translation.

- ``status``: the rule (missing or out of date, and why) and what wagtail-localize knows.
- ``entries``: the table's rows for pages and snippets the user may edit.
- ``views``: the admin view (routes in ``backoffice.admin_urls``).
"""
