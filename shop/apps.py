from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from shop import basket_merge, notifications, personal_data, receivers

        receivers.connect()
        basket_merge.connect()
        notifications.connect()
        personal_data.register()
