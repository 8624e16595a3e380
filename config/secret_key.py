"""A secret key of its own for every demo and development install, kept in ``.env``.

A fixed development key is public (it is in the repository), and with it anyone can forge what
the key signs: playback, unsubscribe, local-payment and upload tokens, sessions. So local
settings never fall back to a constant: the first start (``make demo``, ``make run`` or any
``manage.py`` command) writes a random ``DJANGO_SECRET_KEY`` into ``.env`` beside ``manage.py``,
and every later start reads it from there. A key already set, in the environment or in
``.env``, is never replaced. Production sets its own and refuses to start without one.

Run as ``python -m config.secret_key [ENV_FILE]`` to create it ahead of time.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

NAME = "DJANGO_SECRET_KEY"
_LINE = re.compile(rf"^\s*(?:export\s+)?{NAME}\s*=(?P<value>.*)$")


def secret_key_usable(value: str | None) -> bool:
    """Not empty, and not the comment a copied ``.env.example`` leaves as the value."""
    value = (value or "").strip().strip("\"'")
    return bool(value) and not value.startswith("#")


def secret_key_ensure(env_file: Path) -> tuple[str, bool]:
    """The key in ``env_file``, written there first when it holds none; and whether it was.

    A ``DJANGO_SECRET_KEY=`` line with no usable value is replaced; any other line is kept.
    """
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    for line in lines:
        match = _LINE.match(line)
        if match and secret_key_usable(match["value"]):
            return match["value"].strip().strip("\"'"), False
    # URL-safe characters only: django-environ reads a leading "$" as a reference and "#" may
    # start a comment. 64 bytes of randomness, 86 characters.
    key = secrets.token_urlsafe(64)
    kept = [line for line in lines if not _LINE.match(line)]
    env_file.write_text("\n".join([*kept, f"{NAME}={key}"]) + "\n")
    env_file.chmod(0o600)
    return key, True


def secret_key_for_development(env_file: Path) -> str:
    """The environment's key when it has one, else the install's own from ``env_file``."""
    configured = os.environ.get(NAME)
    if secret_key_usable(configured):
        return configured.strip().strip("\"'")
    return secret_key_ensure(env_file)[0]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / ".env"
    if secret_key_usable(os.environ.get(NAME)):
        print(f"{NAME} is set in the environment; {target} left as it is.")
    else:
        _key, created = secret_key_ensure(target)
        print(f"{'Generated a new' if created else 'Kept the'} {NAME} in {target}.")
