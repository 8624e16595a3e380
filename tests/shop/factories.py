"""Catalogue pages as an editor makes them: a draft first, then published revisions."""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import slugify

from cms.models import CatalogPage, LibraryIndexPage, VideoPage


def draft_catalog_page(
    library: LibraryIndexPage,
    *,
    page_class: type[CatalogPage] = VideoPage,
    title: str = "Löten mit dem Mikrobrenner",
    price: str | None = "9.00",
) -> CatalogPage:
    """A German page that has never been published."""
    return library.add_child(
        instance=page_class(
            title=title,
            slug=slugify(title),
            price=Decimal(price) if price is not None else None,
            live=False,
        )
    )


def publish(page: CatalogPage, **changes) -> CatalogPage:
    """Publish a new revision of ``page`` with ``changes``, as the editor's "Publish" button does."""
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page
