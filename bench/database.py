"""The benchmark's own database: created if missing, migrated when behind, seeded idempotently."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bench.progress import Progress


def _maintenance():
    """An autocommit connection to the server's ``postgres`` database, for CREATE and DROP."""
    import psycopg

    db = settings.DATABASES["default"]
    params = {key.lower(): db[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if db.get(key)}
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


def database_create_if_missing() -> None:
    """PostgreSQL only (SQLite creates its file on connect): ``CREATE DATABASE`` when absent."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    from psycopg import sql

    with _maintenance() as maintenance:
        found = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not found:
            print(f"Creating database {db['NAME']} …", flush=True)
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def database_drop() -> None:
    """``--fresh``: delete the SQLite file (and its WAL files), or drop the PostgreSQL database.

    Called before anything connects. PostgreSQL refuses while another session uses the database,
    which is as it should be. A database whose name does not say "bench" is refused: a
    ``BENCH_DATABASE_URL`` pointing at the demo's or a developer's database must not be wiped.
    """
    db = settings.DATABASES["default"]
    if "bench" not in Path(str(db["NAME"])).name:
        raise SystemExit(f"--fresh refuses to delete {db['NAME']}: its name does not contain 'bench'.")
    if db["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        print(f"Deleted {db['NAME']}.", flush=True)
        return
    from psycopg import sql

    with _maintenance() as maintenance:
        maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db["NAME"])))
    print(f"Dropped database {db['NAME']}.", flush=True)


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
    if connection.vendor == "postgresql":
        # Freshly seeded tables have no statistics until autovacuum gets round to them, and the
        # planner then guesses one row where there are a thousand: measure the settled state.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def dataset_sizes() -> dict[str, int]:
    """What is in the database, which can be more than this run asked for (seeding never deletes)."""
    from oscar.apps.order.models import Order
    from wagtail.models import Locale

    from accounts.models import User
    from cms.models import BundlePage, Category, CoursePage, VideoPage

    english = VideoPage.objects.filter(locale=Locale.objects.get(language_code="en"))
    return {
        "video_pages": VideoPage.objects.count(),
        "video_pages_en": english.count(),
        # Pages seeded before the catalogue models had thumbnails and categories lack them, and a
        # list of them costs less than a list of real items: then run with --fresh.
        "video_pages_en_without_thumbnail": english.filter(thumbnail__isnull=True).count(),
        "video_pages_en_without_category": english.filter(category__isnull=True).count(),
        "course_pages": CoursePage.objects.count(),
        "bundle_pages": BundlePage.objects.count(),
        "categories": Category.objects.count(),
        "users": User.objects.count(),
        "orders": Order.objects.count(),
    }
