"""The business reports; importing a report's module registers it (menu order is this order)."""

REPORT_SLUGS = ("revenue", "conversion", "subscribers", "videos", "bookings")
