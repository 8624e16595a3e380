"""Who may watch what, and what a shopper owns.

- :mod:`.selectors` — the access rules (free, a grant, a subscription), ownership, the library's
  sources.
- :mod:`.services` — the one writer of grants (from paid orders, revoked, suspended, by staff).
- :mod:`.library` — the shopper's library page: sources, titles, items and progress assembled.
"""
