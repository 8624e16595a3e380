from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for every app: ``seed_demo`` and what it seeds (people, catalogue, clips, shop,
    consultations, a sample year of business).

    It sits above every domain app and the back office (it seeds all of them) and below config;
    no app imports it. It has no models.
    """

    name = "demo"
    label = "demo"
    verbose_name = "Demo"
