"""The README and ARCHITECTURE.md name files and folders a newcomer opens; every one they name
exists, so a move that forgets the docs fails here rather than in a reader's hands."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT

DOCS = ["README.md", "ARCHITECTURE.md"]
GENERATED = {"bench/.bench.sqlite3"}  # written by a run, named so readers know where it goes
# `shop/services.py`, `cms/api/`, `core/errors.py` — a backticked path under a first-party folder.
PATH = re.compile(
    r"`((?:accounts|backoffice|bench|booking|cms|config|core|demo|media_pipeline|shop|tests)/[\w./-]*)`"
)


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_the_docs_name_exists(doc):
    text = (ROOT / doc).read_text()
    named = sorted(set(PATH.findall(text)))
    assert named, f"{doc} names no paths: the pattern no longer matches how it writes them"
    assert [path for path in named if path not in GENERATED and not (ROOT / path.rstrip("/")).exists()] == []
