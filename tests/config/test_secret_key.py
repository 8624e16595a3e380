"""Every demo install signs with a key of its own, kept in its ``.env`` (issue 16, item 10).

A constant development key is public, and with it the demo's playback, unsubscribe and payment
tokens could be forged. These tests run what a fresh install runs, in throwaway directories.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from config.secret_key import secret_key_ensure
from tests.config.test_settings import PRODUCTION_ENV, run_manage
from tests.helpers import ROOT


def clean_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SECRET_KEY"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return environment


def make_step(env_file: Path) -> str:
    """What ``make demo`` runs before its first ``manage.py`` command."""
    result = subprocess.run(
        [sys.executable, "-m", "config.secret_key", str(env_file)],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def local_settings_key(install: Path) -> str:
    """SECRET_KEY of config.settings.local in a copy of the settings at ``install``, with
    DJANGO_SECRET_KEY unset: a fresh checkout's first start, and every start after it."""
    (install / "config" / "settings").mkdir(parents=True, exist_ok=True)
    (install / "config" / "__init__.py").write_text("")
    shutil.copy(ROOT / "config" / "secret_key.py", install / "config")
    for module in (ROOT / "config" / "settings").glob("*.py"):
        shutil.copy(module, install / "config" / "settings")
    result = subprocess.run(
        [sys.executable, "-c", "from config.settings import local; print(local.SECRET_KEY)"],
        cwd=install,
        env={**clean_environment(), "PYTHONPATH": str(install)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_demo_step_generates_a_key_once_and_keeps_it(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=sqlite:///demo.sqlite3\n")

    first = make_step(env_file)
    key = env_file.read_text().split("DJANGO_SECRET_KEY=")[1].strip()
    second = make_step(env_file)

    assert first.startswith("Generated")
    assert second.startswith("Kept")
    assert len(key) >= 50
    assert env_file.read_text() == f"DATABASE_URL=sqlite:///demo.sqlite3\nDJANGO_SECRET_KEY={key}\n"
    assert env_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_key_already_in_env_is_never_replaced(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_SECRET_KEY=the-operators-own-key\n")

    assert secret_key_ensure(env_file) == ("the-operators-own-key", False)
    assert env_file.read_text() == "DJANGO_SECRET_KEY=the-operators-own-key\n"


def test_a_copied_env_example_gets_a_real_key_not_its_comment(tmp_path):
    env_file = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", env_file)
    env_file.write_text(env_file.read_text() + "DJANGO_SECRET_KEY=    # required in production\n")

    key, created = secret_key_ensure(env_file)

    assert created
    assert "#" not in key
    assert env_file.read_text().count("DJANGO_SECRET_KEY=") == 1


def test_local_settings_never_sign_with_a_known_key(tmp_path):
    first_install, second_install = tmp_path / "one", tmp_path / "two"

    first = local_settings_key(first_install)
    again = local_settings_key(first_install)
    other = local_settings_key(second_install)

    assert first == again  # sessions and tokens survive a restart
    assert first != other  # but no two installs share a key
    assert f"DJANGO_SECRET_KEY={first}" in (first_install / ".env").read_text()
    assert len(first) >= 50


def test_production_refuses_the_comment_a_copied_env_example_leaves_as_key():
    comment = "                                # required in production (>= 50 random characters)"
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": comment}

    result = run_manage("config.settings.production", "check", env=env)

    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
