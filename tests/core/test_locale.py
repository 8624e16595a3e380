"""The language to write to someone in is decided in one place (core.locale)."""

import datetime
from types import SimpleNamespace

import pytest

from core.locale import SUPPORTED, format_date, person_language, supported_language


@pytest.mark.parametrize(
    ("given", "language"),
    [("en", "en"), ("en-GB", "en"), ("EN_us", "en"), ("de-AT", "de"), ("fr", "de"), ("", "de"), (None, "de")],
)
def test_any_language_tag_becomes_one_the_site_writes_in(given, language):
    assert supported_language(given) == language


def test_a_person_is_written_to_in_their_accounts_language_and_guests_in_german():
    assert person_language(SimpleNamespace(locale="en")) == "en"
    assert person_language(SimpleNamespace(locale="fr")) == "de"
    assert person_language(None) == "de"
    assert SUPPORTED == ("de", "en")


@pytest.mark.parametrize(
    ("day", "language", "shown"),
    [
        (datetime.date(2026, 3, 14), "de", "14.03.2026"),
        ("2026-03-14", "en", "14 March 2026"),
        (None, "de", ""),
    ],
)
def test_a_date_reads_as_its_language_writes_it(day, language, shown):
    assert format_date(day, language) == shown
