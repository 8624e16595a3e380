"""``manage.py private_files_move`` takes what an older version left in the public media storage
(video sources, upload chunks, invoices) into the private one, once."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command

from core.storage import private_storage
from media_pipeline.models import VideoAsset
from shop.models import Invoice

pytestmark = pytest.mark.django_db


def test_sources_and_chunks_left_in_public_storage_move_to_the_private_one(capsys):
    source = f"video-sources/{uuid.uuid4()}/alt.mp4"
    chunk = "video-uploads/0123abcd/000000"
    hls = "hls/stays-public/g1/master.m3u8"
    for name, data in ((source, b"old source"), (chunk, b"old chunk"), (hls, b"#EXTM3U\n")):
        default_storage.save(name, ContentFile(data))
    VideoAsset.objects.create(title="Alt", source=source)

    call_command("private_files_move")
    call_command("private_files_move")  # again: nothing left to move

    private = storages["private"]
    assert not default_storage.exists(source) and not default_storage.exists(chunk)
    with private.open(source) as moved_source, private.open(chunk) as moved_chunk:
        assert (moved_source.read(), moved_chunk.read()) == (b"old source", b"old chunk")
    assert default_storage.exists(hls) and not private.exists(hls)
    output = capsys.readouterr().out
    assert "2 file(s) moved" in output and "0 file(s) moved" in output
    for storage, name in ((private, source), (private, chunk), (default_storage, hls)):
        storage.delete(name)


def test_every_file_field_of_private_files_uses_the_private_storage():
    assert VideoAsset._meta.get_field("source").storage is private_storage()
    assert Invoice._meta.get_field("pdf").storage is private_storage()
