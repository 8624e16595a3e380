"""The kernel as an app: no models, only start-up work that must run after every other app's."""

from django.apps import AppConfig

from core.logs import redact_every_handler


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Listed last in INSTALLED_APPS: runs after the apps that add log handlers of their own.
        redact_every_handler()
