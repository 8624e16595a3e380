from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from shop import personal_data, receivers
        from shop.basket import merge as basket_merge
        from shop.documents import notifications

        receivers.connect()
        basket_merge.connect()
        notifications.connect()
        personal_data.register()
        self._plans_cache_follows_edits()

    @staticmethod
    def _plans_cache_follows_edits() -> None:
        from django.db.models.signals import post_delete, post_save
        from djstripe.models import Price

        from shop.models import SubscriptionPlan
        from shop.subscriptions.plans import plans_cache_clear

        for model in (SubscriptionPlan, Price):
            post_save.connect(plans_cache_clear, sender=model, dispatch_uid=f"plans-cache-{model.__name__}")
            post_delete.connect(
                plans_cache_clear, sender=model, dispatch_uid=f"plans-cache-del-{model.__name__}"
            )
