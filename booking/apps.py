from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from booking import personal_data, receivers

        receivers.connect()
        personal_data.register()
        post_migrate.connect(receivers.consultants_group_ensure, sender=self, dispatch_uid="booking-group")
