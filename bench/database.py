"""The benchmark's own database: created if missing, migrated when behind, seeded idempotently."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bench.progress import Progress


def database_create_if_missing() -> None:
    """PostgreSQL only (SQLite creates its file on connect): ``CREATE DATABASE`` when absent."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    params = {key.lower(): db[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if db.get(key)}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as maintenance:
        found = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not found:
            print(f"Creating database {db['NAME']} …", flush=True)
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


class _MigrateWithProgress(MigrateCommand):
    """``migrate`` itself (post-migrate signals included), reporting a count instead of each name."""

    def __init__(self, total: int) -> None:
        super().__init__()
        self._total = total
        self._done = 0
        self._progress = Progress()

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action == "apply_success":
            self._done += 1
            self._progress("migrations", self._done, self._total)


def database_migrate() -> int:
    """Apply what is missing; returns how many migrations ran (0 when already up to date)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        print("Database already migrated.", flush=True)
        return 0
    print(
        f"Migrating: {len(plan)} migrations to apply (2 to 3 minutes from zero) …",
        flush=True,
    )
    call_command(_MigrateWithProgress(len(plan)), interactive=False, verbosity=1, stdout=io.StringIO())
    return len(plan)


def database_seed(*, videos: int, users: int, orders: int) -> None:
    call_command("seed_demo", videos=videos, users=users, orders=orders)


def dataset_sizes() -> dict[str, int]:
    """What is in the database, which can be more than this run asked for (seeding never deletes)."""
    from oscar.apps.order.models import Order
    from wagtail.models import Locale

    from accounts.models import User
    from cms.models import VideoPage

    english = Locale.objects.get(language_code="en")
    return {
        "video_pages": VideoPage.objects.count(),
        "video_pages_en": VideoPage.objects.filter(locale=english).count(),
        "users": User.objects.count(),
        "orders": Order.objects.count(),
    }
