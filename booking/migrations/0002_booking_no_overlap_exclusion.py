"""No two live bookings or holds of one consultant overlap, buffers included: a PostgreSQL
exclusion constraint over ``tstzrange(blocked_from, blocked_until, '[)')`` per consultant
(btree_gist lets the consultant's id share the GiST index). Adjacent ranges do not overlap.

SQLite has no such constraint; there the booking services check and insert inside one
``BEGIN IMMEDIATE`` transaction (``transaction_mode`` in settings), which serialises writers.
"""

from django.db import migrations

CONSTRAINT = "booking_no_overlap_per_consultant"

EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist;"
CREATE = f"""
ALTER TABLE booking_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (
    consultant_id WITH =,
    tstzrange(blocked_from, blocked_until, '[)') WITH &&
) WHERE (status IN ('held', 'confirmed', 'completed', 'no_show'));
"""
DROP = f"ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_consultations")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
