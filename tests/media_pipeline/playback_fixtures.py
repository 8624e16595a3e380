"""Fixtures and helpers of the playback and progress tests.

A test module takes the fixtures with ``from tests.media_pipeline.playback_fixtures import *``
(the shop's catalogue, shoppers and ``buy`` come along) and imports the helpers by name.

``playable`` is the shop's small catalogue (``tests.shop.conftest``) with the real processed clip
of ``ready_asset`` (10 s, 360p/540p/720p) on the first video (in the course and the bundle, in
German and English) and on a free video, captions in both languages, and the first video's free
preview turned on. Helpers follow a playback through its playlists to the key, as a player does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from cms.models import VideoPage
from media_pipeline.models import Caption, VideoAsset
from tests.shop import conftest as shop_fixtures
from tests.shop.conftest import ShopCatalog, _publish_child

__all__ = ["buy", "customer", "make_user", "place_order", "playable", "shop_catalog"]

# The shop's fixtures, for the test modules that take these.
buy = shop_fixtures.buy
customer = shop_fixtures.customer
make_user = shop_fixtures.make_user
place_order = shop_fixtures.place_order
shop_catalog = shop_fixtures.shop_catalog

VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\n{text}\n"


@dataclass
class Playable:
    catalog: ShopCatalog
    asset: VideoAsset
    video: VideoPage  # priced: alone, in the course, in the bundle; translated into English
    free_video: VideoPage  # no price, same asset

    @property
    def key(self):
        return self.video.translation_key

    @property
    def free_key(self):
        return self.free_video.translation_key


@pytest.fixture
def playable(shop_catalog, ready_asset, django_capture_on_commit_callbacks) -> Playable:
    video = shop_catalog.videos[0]
    with django_capture_on_commit_callbacks(execute=True):
        free_video = _publish_child(
            shop_catalog.library, VideoPage(title="Gratis", slug="gratis", price=None)
        )
    # As an editor's choice of asset (synchronised into the translation) would leave them.
    VideoPage.objects.filter(translation_key__in=[video.translation_key, free_video.translation_key]).update(
        video=ready_asset
    )
    VideoPage.objects.filter(translation_key=video.translation_key).update(free_preview=True)
    for language, text in (("de", "Hallo"), ("en", "Hello")):
        name = default_storage.save(
            f"captions/{ready_asset.uuid}-{language}.vtt", ContentFile(VTT.format(text=text))
        )
        Caption.objects.create(asset=ready_asset, language=language, label="", file=name)
    return Playable(shop_catalog, ready_asset, video, free_video)


def playback_url(key) -> str:
    return f"/api/v1/videos/{key}/playback/"


def start(client: Client, key, **query):
    return client.post(playback_url(key), query_params=query or None)


def local(url: str) -> str:
    """The path of one of our absolute URLs, to ask the test client."""
    assert url.startswith(settings.BACKEND_URL), url
    return url[len(settings.BACKEND_URL) :]


def stored_name(url: str) -> str:
    """The storage name behind a segment URL (local storage in tests)."""
    path = urlsplit(url).path
    assert path.startswith(settings.MEDIA_URL), url
    return unquote(path[len(settings.MEDIA_URL) :])


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def key_uri(playlist: str) -> str:
    return re.search(r'#EXT-X-KEY:.*URI="([^"]+)"', playlist)[1]


@dataclass
class Followed:
    master: str
    rung_url: str
    rung: str
    key_url: str


def follow(client: Client, hls_url: str) -> Followed:
    """Fetch the master playlist and its first rung, as a player starts."""
    master = client.get(local(hls_url))
    assert master.status_code == 200, master.content
    rung_url = uris(master.content.decode())[0]
    rung = client.get(local(rung_url))
    assert rung.status_code == 200, rung.content
    text = rung.content.decode()
    return Followed(master.content.decode(), rung_url, text, key_uri(text))


def decrypt_first_segment(rung_playlist: str, key: bytes) -> bytes:
    """The first segment of a rung, fetched from storage and decrypted as a player does."""
    segment = uris(rung_playlist)[0]
    with default_storage.open(stored_name(segment)) as handle:
        data = handle.read()
    line = re.search(r"#EXT-X-KEY:(.*)", rung_playlist)[1]
    iv_match = re.search(r"IV=0x([0-9A-Fa-f]{32})", line)
    if iv_match:
        iv = bytes.fromhex(iv_match[1])
    else:  # the media sequence number, as RFC 8216 says
        sequence = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", rung_playlist)
        iv = int(sequence[1] if sequence else 0).to_bytes(16, "big")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()
