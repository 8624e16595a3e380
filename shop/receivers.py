"""Wagtail tells the shop when a catalogue page is published, unpublished or deleted; the
service decides what that means for the product. Connected in ``ShopConfig.ready()``."""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from cms.models import BundlePage, CatalogPage, CoursePage, VideoPage
from shop.catalogue.services import product_sync_from_page, product_withdraw

CATALOG_PAGE_TYPES: tuple[type[CatalogPage], ...] = (VideoPage, CoursePage, BundlePage)


def page_changed(sender, instance: CatalogPage, **kwargs) -> None:
    product_sync_from_page(page=instance)


def page_deleted(sender, instance: CatalogPage, **kwargs) -> None:
    product_withdraw(page=instance)


def connect() -> None:
    for page_type in CATALOG_PAGE_TYPES:
        uid = f"shop.product_sync.{page_type.__name__}"
        page_published.connect(page_changed, sender=page_type, dispatch_uid=f"{uid}.published")
        page_unpublished.connect(page_changed, sender=page_type, dispatch_uid=f"{uid}.unpublished")
        post_delete.connect(page_deleted, sender=page_type, dispatch_uid=f"{uid}.deleted")
