"""Migrating from zero works, on SQLite here (PostgreSQL's test database is built the same way
in CI), and no model change lacks a migration."""

import os

import pytest

from tests.helpers import manage


@pytest.mark.slow
def test_migrate_from_zero_on_sqlite_then_nothing_is_missing(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = manage("migrate", "--noinput", env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    result = manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stdout
    result = manage(
        "seed_demo",
        "--videos",
        "2",
        "--users",
        "1",
        "--orders",
        "1",
        "--history-shoppers",
        "20",
        "--history-orders",
        "40",
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
