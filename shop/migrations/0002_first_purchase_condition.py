"""The first-timer offer's condition: a proxy of Oscar's Condition, and the one condition row
that names it, so Oscar's dashboard offer wizard lists it under "Custom condition"."""

from django.db import migrations

PROXY_CLASS = "shop.offers.FirstPurchaseCondition"


def create_condition_row(apps, schema_editor):
    Condition = apps.get_model("offer", "Condition")
    if not Condition.objects.filter(proxy_class=PROXY_CLASS).exists():
        Condition.objects.create(proxy_class=PROXY_CLASS)


def delete_unused_condition_row(apps, schema_editor):
    Condition = apps.get_model("offer", "Condition")
    Condition.objects.filter(proxy_class=PROXY_CLASS, offers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offer", "0013_range_excluded_categories"),
        ("shop", "0001_checkout_stripe_event_grant_invoice"),
    ]

    operations = [
        migrations.CreateModel(
            name="FirstPurchaseCondition",
            fields=[],
            options={
                "verbose_name": "First-purchase condition",
                "verbose_name_plural": "First-purchase conditions",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("offer.condition",),
        ),
        migrations.RunPython(create_condition_row, delete_unused_condition_row),
    ]
