"""The business reports; importing a report's module registers it."""

from backoffice.reports import bookings, conversion, revenue, subscribers, videos  # noqa: F401
from backoffice.reports.base import REPORTS

# The order of the menu and the index: money first.
REPORT_SLUGS = ("revenue", "conversion", "subscribers", "videos", "bookings")
REPORTS.update({slug: REPORTS.pop(slug) for slug in REPORT_SLUGS})
