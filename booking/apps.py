from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from booking import personal_data, receivers
        from booking.products import HOLD_OPTION, PRODUCT_CLASS
        from shop.basket import server_lines

        receivers.connect()
        # A consultation enters a basket only through a hold, whose id rides on the line as an
        # option; a client adding either could claim a booking with a line of its own.
        server_lines.register(product_class=PRODUCT_CLASS, options=[HOLD_OPTION])
        personal_data.register()
        post_migrate.connect(receivers.consultants_group_ensure, sender=self, dispatch_uid="booking-group")
