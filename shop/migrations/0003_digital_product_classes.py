"""The shop's product classes exist from the start, for staff in the dashboard as for the code:
video, course, bundle and consultation — digital goods, nothing shipped, no stock counted."""

from django.db import migrations

PRODUCT_CLASSES = (
    ("video", "Video"),
    ("course", "Course"),
    ("bundle", "Bundle"),
    ("consultation", "Consultation"),
)


def product_classes_create(apps, schema_editor):
    ProductClass = apps.get_model("catalogue", "ProductClass")
    for slug, name in PRODUCT_CLASSES:
        ProductClass.objects.update_or_create(
            slug=slug, defaults={"name": name, "requires_shipping": False, "track_stock": False}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0002_first_purchase_condition"),
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
    ]

    operations = [migrations.RunPython(product_classes_create, migrations.RunPython.noop)]
