"""Content keys are sealed before they reach the database, and only our secret opens them."""

import base64

import pytest

from media_pipeline.keys import key_generate, key_open, key_seal


def test_a_sealed_key_opens_to_the_same_key_and_does_not_show_it():
    key = key_generate()
    sealed = key_seal(key)
    assert key_open(sealed) == key
    assert len(key) == 16
    for shown in (
        key.hex(),
        base64.b64encode(key).decode(),
        base64.urlsafe_b64encode(key).decode().rstrip("="),
    ):
        assert shown not in sealed
    assert key_seal(key) != sealed  # sealing is randomised: equal keys do not look equal


def test_a_tampered_sealed_key_does_not_open():
    sealed = key_seal(key_generate())
    tampered = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    with pytest.raises(ValueError):
        key_open(tampered)
    with pytest.raises(ValueError):
        key_open("not a sealed key")


def test_another_secret_does_not_open_it_until_the_old_one_is_a_fallback(settings):
    settings.MEDIA_KEY_SECRET = "the first secret"
    key = key_generate()
    sealed = key_seal(key)
    settings.MEDIA_KEY_SECRET = "the second secret"
    with pytest.raises(ValueError):
        key_open(sealed)
    settings.MEDIA_KEY_SECRET_FALLBACKS = ["the first secret"]
    assert key_open(sealed) == key
    resealed = key_seal(key)
    settings.MEDIA_KEY_SECRET_FALLBACKS = []
    assert key_open(resealed) == key  # new seals use the current secret


def test_without_its_own_secret_the_key_is_derived_from_secret_key(settings):
    settings.MEDIA_KEY_SECRET = ""
    sealed = key_seal(b"k" * 16)
    settings.SECRET_KEY = "another-secret-key-" * 3
    with pytest.raises(ValueError):
        key_open(sealed)


def test_only_sixteen_byte_keys_are_sealed():
    with pytest.raises(ValueError):
        key_seal(b"short")
