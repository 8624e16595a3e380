from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from booking import personal_data, receivers

        receivers.connect()
        personal_data.register()
