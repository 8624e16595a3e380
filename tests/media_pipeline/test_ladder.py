"""The ladder: Apple's rungs up to the source's size and never above, with the right codecs;
and the ladder the real pipeline made of the 720p sample clip."""

import pytest
from django.core.files.storage import default_storage

from media_pipeline import hls
from media_pipeline.ladder import ladder_for
from media_pipeline.processing import start_first


def sizes(rungs):
    return [(rung.name, rung.width, rung.height) for rung in rungs]


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1920, 1080, [("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720), ("1080p", 1920, 1080)]),
        (1280, 720, [("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720)]),
        (640, 360, [("360p", 640, 360)]),
        # Between two rungs: its own size too, when that is clearly larger than the rung below.
        (854, 480, [("360p", 640, 360), ("480p", 854, 480)]),
        (1024, 576, [("360p", 640, 360), ("540p", 960, 540)]),
        # Below the smallest rung: one rung at its own size.
        (320, 240, [("240p", 320, 240)]),
        # 4K: capped at 1080p.
        (3840, 2160, [("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720), ("1080p", 1920, 1080)]),
        # A portrait phone clip: the short side names the rung; no squeezing.
        (1080, 1920, [("360p", 360, 640), ("540p", 540, 960), ("720p", 720, 1280), ("1080p", 1080, 1920)]),
        # 4:3 keeps its shape.
        (1440, 1080, [("360p", 480, 360), ("540p", 720, 540), ("720p", 960, 720), ("1080p", 1440, 1080)]),
    ],
)
def test_the_ladder_has_apples_rungs_up_to_the_source(width, height, expected):
    assert sizes(ladder_for(width=width, height=height)) == expected


@pytest.mark.parametrize(("width", "height"), [(1918, 1078), (1001, 563), (703, 395), (2560, 1080), (90, 60)])
def test_no_rung_is_larger_than_the_source_and_all_sizes_are_even(width, height):
    rungs = ladder_for(width=width, height=height)
    assert rungs
    for rung in rungs:
        assert rung.width <= width and rung.height <= height
        assert rung.width % 2 == 0 and rung.height % 2 == 0
        assert abs(rung.width / rung.height - width / height) < 0.02
    assert [rung.height for rung in rungs] == sorted(rung.height for rung in rungs)


def test_codecs_name_high_profile_at_the_level_the_rung_needs():
    at_30 = {rung.name: rung.codecs(audio=True) for rung in ladder_for(width=1920, height=1080, fps=30)}
    assert at_30 == {
        "360p": "avc1.64001e,mp4a.40.2",
        "540p": "avc1.64001f,mp4a.40.2",
        "720p": "avc1.64001f,mp4a.40.2",
        "1080p": "avc1.640028,mp4a.40.2",
    }
    at_60 = {rung.name: rung.video_codecs for rung in ladder_for(width=1920, height=1080, fps=60)}
    assert at_60["720p"] == "avc1.640020"  # 3.2
    assert at_60["1080p"] == "avc1.64002a"  # 4.2
    assert ladder_for(width=640, height=360)[0].codecs(audio=False) == "avc1.64001e"


def test_the_start_rung_is_the_largest_whose_first_segment_is_about_a_megabyte():
    def rendition(name, height, first, average):
        return {"name": name, "height": height, "first_segment_bytes": first, "average_bandwidth": average}

    ladder = [
        rendition("360p", 360, 400_000, 500_000),
        rendition("540p", 540, 1_050_000, 1_400_000),
        rendition("720p", 720, 1_900_000, 2_500_000),
    ]
    assert [r["name"] for r in start_first(ladder, max_bytes=1_100_000)] == ["540p", "360p", "720p"]
    assert [r["name"] for r in start_first(ladder, max_bytes=2_000_000)] == ["720p", "360p", "540p"]
    # Nothing small enough: the smallest starts.
    assert [r["name"] for r in start_first(ladder, max_bytes=100_000)] == ["360p", "540p", "720p"]


def read(asset, name: str) -> str:
    with default_storage.open(asset.hls_prefix + name) as handle:
        return handle.read().decode()


def test_the_real_ladder_of_a_720p_clip(ready_asset):
    renditions = ready_asset.renditions
    assert sorted(r["name"] for r in renditions) == ["360p", "540p", "720p"]
    assert all(r["width"] <= 1280 and r["height"] <= 720 for r in renditions)
    # The first listed is the largest rung whose first segment stays near 1 MB.
    start = renditions[0]
    assert start["first_segment_bytes"] <= 1_100_000
    larger = [r for r in renditions if r["height"] > start["height"]]
    assert all(r["first_segment_bytes"] > 1_100_000 for r in larger)
    for rendition in renditions:
        size = default_storage.size(ready_asset.hls_prefix + rendition["name"] + "/seg_00000.ts")
        assert rendition["first_segment_bytes"] == size
        assert rendition["average_bandwidth"] <= rendition["bandwidth"]

    master = read(ready_asset, ready_asset.master_playlist)
    assert master.startswith("#EXTM3U\n")
    assert "#EXT-X-INDEPENDENT-SEGMENTS" in master
    entries = [line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF:")]
    uris = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert uris == [r["playlist"] for r in renditions]
    for entry, rendition in zip(entries, renditions, strict=True):
        attributes = hls.attributes(entry)
        assert int(attributes["BANDWIDTH"]) == rendition["bandwidth"]
        assert int(attributes["AVERAGE-BANDWIDTH"]) == rendition["average_bandwidth"]
        assert attributes["RESOLUTION"] == f"{rendition['width']}x{rendition['height']}"
        assert attributes["CODECS"] == rendition["codecs"]
        assert attributes["CODECS"].endswith(",mp4a.40.2")
        assert float(attributes["FRAME-RATE"]) == 25.0
