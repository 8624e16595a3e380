"""Signal receivers of the catalogue; connected in CmsConfig.ready(). Each calls one service."""

from cms.catalog_cache import catalog_cache_invalidate
from cms.models import CatalogPage
from cms.tasks import thumbnails_make


def invalidate_catalog(sender, **kwargs) -> None:
    catalog_cache_invalidate()


def page_published(sender, instance, **kwargs) -> None:
    catalog_cache_invalidate()
    if isinstance(instance, CatalogPage) and instance.thumbnail_id:
        thumbnails_make.delay_on_commit(instance.thumbnail_id)
