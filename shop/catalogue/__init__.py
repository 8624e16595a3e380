"""The shop's catalogue: one Oscar product per priced Wagtail page, kept in step with the page.

- :mod:`.services` — the one writer of products and their stock records (sync, withdraw).
- :mod:`.selectors` — a page's product, the purchasable products of a set of pages.
"""
