"""Reads of the catalogue, by what is read; each module is imported by its own name.

- ``served``: which version of each item a locale is served, the columns read, rows by key.
- ``references``: what a course's sections and a bundle's items point at.
- ``listings``: the catalogue's filtered, searched and ordered lists, categories, a library.
- ``detail``: one item's page: found by slug, with what holds it, its lessons or its items.
- ``holdings``: what holds what (for the shop's access decisions).
- ``offers``: what would unlock a video (for the media pipeline's 403).
"""
