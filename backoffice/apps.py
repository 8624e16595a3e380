from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The studio's back office inside the Wagtail admin: reports, customers, translation status.

    It sits above every other app (it reads shop, booking, media and cms), and nothing imports it.
    """

    name = "backoffice"
    verbose_name = _("Back office")
