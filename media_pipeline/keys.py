"""Content keys at rest: AES-128 keys are sealed before they touch the database.

A run makes one random 16-byte key; ``VideoAsset.content_key_sealed`` holds it sealed with
Fernet (AES-CBC + HMAC, from ``cryptography``) under a key derived from
``settings.MEDIA_KEY_SECRET`` (``SECRET_KEY`` when unset). A database dump alone therefore
opens no video. ``MEDIA_KEY_SECRET_FALLBACKS`` lets the secret be rotated: keys sealed under an
older secret still open, and new ones are sealed under the current secret.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

KEY_BYTES = 16


def _fernet(secret: str) -> Fernet:
    # A domain-separated digest: the same secret used elsewhere never yields this key.
    digest = hashlib.sha256(b"phialo.media_pipeline.content-key\x00" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _sealer() -> MultiFernet:
    secrets = [settings.MEDIA_KEY_SECRET or settings.SECRET_KEY, *settings.MEDIA_KEY_SECRET_FALLBACKS]
    return MultiFernet([_fernet(secret) for secret in secrets if secret])


def key_generate() -> bytes:
    """A fresh random AES-128 content key."""
    return os.urandom(KEY_BYTES)


def key_seal(key: bytes) -> str:
    """``key`` sealed for storage in the database (ASCII text)."""
    if len(key) != KEY_BYTES:
        raise ValueError("a content key has 16 bytes")
    return _sealer().encrypt(key).decode("ascii")


def key_open(sealed: str) -> bytes:
    """The 16-byte key ``sealed`` holds. Raises ``ValueError`` when it was tampered with or
    sealed under a secret that is no longer configured."""
    try:
        key = _sealer().decrypt(sealed.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as error:
        raise ValueError("the sealed content key cannot be opened") from error
    if len(key) != KEY_BYTES:
        raise ValueError("the sealed value is not a content key")
    return key
