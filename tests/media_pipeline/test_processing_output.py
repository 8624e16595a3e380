"""What the real pipeline wrote for the 720p sample clip: VOD playlists of at most 6.5 s
segments, AES-128 segments that decrypt with the asset's key into MPEG-TS ffprobe reads, a
keyframe every 2 s, and the poster, thumbnails, storyboard and unencrypted preview."""

import io
import json
import subprocess

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import hls
from media_pipeline.keys import key_open
from media_pipeline.processing import segment_decrypt
from media_pipeline.tools import ffprobe_binary


def read_bytes(asset, name: str) -> bytes:
    with default_storage.open(asset.hls_prefix + name) as handle:
        return handle.read()


def media_playlist(asset, rendition: dict) -> str:
    return read_bytes(asset, rendition["playlist"]).decode()


def probe(path, *options) -> dict:
    command = [ffprobe_binary(), "-v", "error", "-of", "json", *options, str(path)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def decrypted_rung(asset, rendition: dict) -> bytes:
    text = media_playlist(asset, rendition)
    key, iv = key_open(asset.content_key_sealed), bytes.fromhex(hls.media_key(text)["IV"][2:])
    folder = rendition["playlist"].rsplit("/", 1)[0]
    return b"".join(
        segment_decrypt(read_bytes(asset, f"{folder}/{segment.uri}"), key=key, iv=iv)
        for segment in hls.media_segments(text)
    )


def test_media_playlists_are_vod_aes128_with_segments_of_at_most_six_and_a_half_seconds(ready_asset):
    for rendition in ready_asset.renditions:
        text = media_playlist(ready_asset, rendition)
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in text
        assert text.rstrip().endswith("#EXT-X-ENDLIST")
        assert "#EXT-X-INDEPENDENT-SEGMENTS" in text
        key = hls.media_key(text)
        assert key["METHOD"] == "AES-128"
        assert key["URI"] == "key"  # the placeholder playback rewrites
        assert key["IV"].startswith("0x") and len(key["IV"]) == 34
        segments = hls.media_segments(text)
        assert [segment.uri for segment in segments] == ["seg_00000.ts", "seg_00001.ts"]
        assert all(segment.duration <= 6.5 for segment in segments)
        assert sum(segment.duration for segment in segments) == pytest.approx(10, abs=0.1)


def test_segments_decrypt_with_the_key_into_mpeg_ts_that_ffprobe_reads(ready_asset, tmp_path):
    rendition = ready_asset.renditions[0]
    folder = rendition["playlist"].rsplit("/", 1)[0]
    encrypted = read_bytes(ready_asset, f"{folder}/seg_00000.ts")
    assert encrypted[0] != 0x47 or encrypted[188] != 0x47  # not plain MPEG-TS (sync bytes)
    clear = decrypted_rung(ready_asset, rendition)
    assert clear[0] == 0x47 and clear[188] == 0x47
    path = tmp_path / "clear.ts"
    path.write_bytes(clear)
    streams = probe(path, "-show_streams", "-show_format")
    assert streams["format"]["format_name"] == "mpegts"
    codecs = {stream["codec_type"]: stream for stream in streams["streams"]}
    assert codecs["video"]["codec_name"] == "h264"
    assert codecs["video"]["profile"] == "High"
    assert (codecs["video"]["width"], codecs["video"]["height"]) == (rendition["width"], rendition["height"])
    assert codecs["audio"]["codec_name"] == "aac"
    assert float(streams["format"]["duration"]) == pytest.approx(10, abs=0.2)


def test_a_wrong_key_does_not_open_the_segments(ready_asset):
    rendition = ready_asset.renditions[0]
    folder = rendition["playlist"].rsplit("/", 1)[0]
    iv = bytes.fromhex(hls.media_key(media_playlist(ready_asset, rendition))["IV"][2:])
    try:
        clear = segment_decrypt(read_bytes(ready_asset, f"{folder}/seg_00000.ts"), key=b"\0" * 16, iv=iv)
    except ValueError:
        return  # the padding check failed
    assert not (clear[0] == 0x47 and clear[188] == 0x47)


def test_every_rung_has_a_keyframe_every_two_seconds(ready_asset, tmp_path):
    for rendition in ready_asset.renditions:
        path = tmp_path / f"{rendition['name']}.ts"
        path.write_bytes(decrypted_rung(ready_asset, rendition))
        frames = probe(
            path,
            "-select_streams",
            "v:0",
            "-skip_frame",
            "nokey",
            "-show_entries",
            "frame=pts_time",
            "-show_frames",
        )["frames"]
        times = [float(frame["pts_time"]) for frame in frames]
        starts = [round(time - times[0], 2) for time in times]
        assert starts == [0.0, 2.0, 4.0, 6.0, 8.0], rendition["name"]


def test_the_preview_is_the_clip_start_unencrypted_from_the_middle_rung(ready_asset, tmp_path):
    assert ready_asset.preview_playlist == "preview/index.m3u8"
    assert ready_asset.preview_seconds == 10  # MEDIA_PREVIEW_SECONDS=30, clamped to the clip
    text = read_bytes(ready_asset, ready_asset.preview_playlist).decode()
    assert "#EXT-X-KEY" not in text
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text
    segments = hls.media_segments(text)
    assert all(segment.duration <= 6.5 for segment in segments)
    path = tmp_path / "preview.ts"
    path.write_bytes(b"".join(read_bytes(ready_asset, f"preview/{segment.uri}") for segment in segments))
    video = probe(path, "-show_streams", "-select_streams", "v:0")["streams"][0]
    assert (video["width"], video["height"]) == (960, 540)


def test_the_preview_stops_after_its_seconds(db, settings, clip_factory):
    from media_pipeline.services import asset_create, asset_process

    settings.MEDIA_PREVIEW_SECONDS = 3  # ends inside the first segment: cut without re-encoding
    asset = asset_create(title="Short preview", source=clip_factory(seconds=8, width=640, height=360))
    asset = asset_process(asset_id=asset.pk)
    assert asset.preview_seconds == 3
    text = read_bytes(asset, asset.preview_playlist).decode()
    assert sum(segment.duration for segment in hls.media_segments(text)) == pytest.approx(3, abs=0.1)


def test_poster_thumbnails_and_storyboard(ready_asset):
    with Image.open(io.BytesIO(read_bytes(ready_asset, ready_asset.poster))) as poster:
        assert poster.size == (1280, 720)
    assert len(ready_asset.thumbnails) == 4
    for name in ready_asset.thumbnails:
        with Image.open(io.BytesIO(read_bytes(ready_asset, name))) as thumbnail:
            assert thumbnail.size == (480, 270)
    vtt = read_bytes(ready_asset, ready_asset.storyboard_vtt).decode()
    assert vtt.startswith("WEBVTT")
    cues = [line for line in vtt.splitlines() if "#xywh=" in line]
    timings = [line for line in vtt.splitlines() if "-->" in line]
    assert len(cues) == len(timings) == 5  # a tile every 2 s of 10 s
    assert timings[0] == "00:00:00.000 --> 00:00:02.000"
    assert timings[-1].endswith("--> 00:00:10.000")
    with Image.open(io.BytesIO(read_bytes(ready_asset, ready_asset.storyboard_image))) as sheet:
        for cue in cues:
            image, _, box = cue.partition("#xywh=")
            x, y, w, h = map(int, box.split(","))
            assert image == "storyboard.jpg" and w == 160 and h == 90
            assert x + w <= sheet.width and y + h <= sheet.height


def test_the_asset_records_what_it_is(ready_asset):
    assert ready_asset.status == "ready" and ready_asset.stage == "done" and ready_asset.progress == 100
    assert ready_asset.duration == pytest.approx(10, abs=0.1) and ready_asset.duration_seconds == 10
    assert (ready_asset.width, ready_asset.height) == (1280, 720)
    assert ready_asset.hls_prefix == f"hls/{ready_asset.uuid}/g{ready_asset.generation}/"
    assert ready_asset.source_size > 0 and ready_asset.processed_at is not None
    assert len(key_open(ready_asset.content_key_sealed)) == 16
