"""Every environment variable the settings read is listed in .env.example and the README."""

import re

from tests.helpers import ROOT

READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for module in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(READ.findall(module.read_text()))
    return names


def test_every_variable_is_in_env_example_and_readme():
    read = variables_read_by_settings()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= read
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert sorted(name for name in read if not re.search(rf"^{name}=", example, re.M)) == []
    assert sorted(name for name in read if f"`{name}`" not in readme) == []


def test_a_copied_env_example_sets_no_comment_as_a_value():
    """django-environ keeps ``KEY=  # note`` as the value "# note": a copied .env.example would
    then seal content keys with a public string (MEDIA_KEY_SECRET) or sign with one."""
    example = (ROOT / ".env.example").read_text()
    assigned = [line for line in example.splitlines() if re.match(r"[A-Z][A-Z0-9_]*=", line)]
    assert assigned
    assert [line for line in assigned if "#" in line or line != line.rstrip()] == []
