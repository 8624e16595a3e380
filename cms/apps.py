from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, get_page_models
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms import receivers
        from cms.models import Category

        page_published.connect(receivers.page_published, dispatch_uid="cms-page-published")
        page_unpublished.connect(receivers.invalidate_catalog, dispatch_uid="cms-page-unpublished")
        post_page_move.connect(receivers.invalidate_catalog, dispatch_uid="cms-page-moved")
        post_delete.connect(receivers.invalidate_catalog, sender=Page, dispatch_uid="cms-page-deleted")
        # Pages created or changed in code (add_child, imports) send no publish signal.
        for page_model in get_page_models():
            post_save.connect(
                receivers.invalidate_catalog, sender=page_model, dispatch_uid=f"cms-saved-{page_model}"
            )
        post_save.connect(receivers.invalidate_catalog, sender=Category, dispatch_uid="cms-category-saved")
        post_delete.connect(
            receivers.invalidate_catalog, sender=Category, dispatch_uid="cms-category-deleted"
        )
