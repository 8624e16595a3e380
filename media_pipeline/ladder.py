"""The bit-rate ladder and the one ffmpeg command that encodes it.

After Apple's HLS authoring specification: H.264 High profile with the level signalled in
``CODECS``, AAC-LC stereo, a keyframe every 2 s whatever the scenes do (so every 6 s segment
starts with one and can be decoded alone: ``EXT-X-INDEPENDENT-SEGMENTS``), VOD playlists, and
rungs at 360p/540p/720p/1080p that never exceed the source: a 720p upload gets 360p, 540p and
720p; a source between two rungs also gets a rung at its own size when that is at least 20 %
taller than the rung below; a source below 360p gets one rung at its own size.

Rate control is capped CRF: quality-constant, so a still talking head costs far less than the
cap, while the cap (``maxrate``, with a two-second buffer) keeps each rung within what its
network class can carry. BANDWIDTH in the master playlist is then measured from the segments.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

SEGMENT_SECONDS = 6
KEYFRAME_SECONDS = 2
AUDIO_BITRATE = 128_000
AUDIO_CODECS = "mp4a.40.2"  # AAC-LC
CRF = 23
# (nominal height of the short side, video bit-rate cap): Apple's table, one rung per size.
STANDARD_RUNGS = ((360, 800_000), (540, 2_000_000), (720, 3_500_000), (1080, 6_500_000))
LONG_SIDE_MAX = 1920
OWN_SIZE_STEP = 1.2
MIN_BITRATE = 200_000
# H.264 levels: (name, max macroblocks per second, max macroblocks per frame, max kbit/s in High).
LEVELS = (
    ("3.0", 40_500, 1_620, 12_500),
    ("3.1", 108_000, 3_600, 17_500),
    ("3.2", 216_000, 5_120, 25_000),
    ("4.0", 245_760, 8_192, 25_000),
    ("4.1", 245_760, 8_192, 62_500),
    ("4.2", 522_240, 8_704, 62_500),
    ("5.1", 983_040, 36_864, 300_000),
)


@dataclass(frozen=True)
class Rung:
    name: str
    width: int
    height: int
    max_bitrate: int  # video only, bit/s
    level: str

    @property
    def video_codecs(self) -> str:
        major, minor = self.level.split(".")
        return f"avc1.6400{int(major) * 10 + int(minor):02x}"  # High profile, no constraint flags

    def codecs(self, *, audio: bool) -> str:
        return f"{self.video_codecs},{AUDIO_CODECS}" if audio else self.video_codecs


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def output_fps(source_fps: float) -> float:
    """The frame rate we encode at: the source's up to 60, 30 above that, 25 when unknown."""
    if source_fps <= 0:
        return 25.0
    return source_fps if source_fps <= 60 else 30.0


def _level(width: int, height: int, fps: float, max_bitrate: int) -> str:
    macroblocks = math.ceil(width / 16) * math.ceil(height / 16)
    for name, per_second, per_frame, kbits in LEVELS:
        if macroblocks <= per_frame and macroblocks * fps <= per_second and max_bitrate <= kbits * 1000:
            return name
    return LEVELS[-1][0]


def _bitrate_for(short_side: int) -> int:
    """A cap for a size between the standard ones, interpolated by pixel count."""
    heights = [height for height, _ in STANDARD_RUNGS]
    rates = dict(STANDARD_RUNGS)
    if short_side <= heights[0]:
        return max(MIN_BITRATE, int(rates[heights[0]] * (short_side / heights[0]) ** 2))
    for low, high in itertools.pairwise(heights):
        if short_side <= high:
            share = (short_side**2 - low**2) / (high**2 - low**2)
            return int(rates[low] + share * (rates[high] - rates[low]))
    return rates[heights[-1]]


def ladder_for(*, width: int, height: int, fps: float = 25.0) -> list[Rung]:
    """The rungs for a source shown at ``width`` x ``height``, smallest first; none larger.

    Sizes follow the short side (a portrait phone clip gets 360x640, not 640x360 squeezed) and
    keep the source's aspect ratio with even dimensions."""
    if width <= 0 or height <= 0:
        raise ValueError("the source has no picture size")
    short, long = min(width, height), max(width, height)
    sides = [(side, rate) for side, rate in STANDARD_RUNGS if side <= short]
    if not sides or (short < STANDARD_RUNGS[-1][0] and short >= sides[-1][0] * OWN_SIZE_STEP):
        sides.append((short, _bitrate_for(short)))
    fps = output_fps(fps)
    rungs = []
    for side, rate in sides:
        scale = min(side / short, LONG_SIDE_MAX / long)
        rung_short, rung_long = _even(short * scale), _even(long * scale)
        rung_width, rung_height = (rung_long, rung_short) if width >= height else (rung_short, rung_long)
        rungs.append(
            Rung(
                name=f"{side}p",
                width=rung_width,
                height=rung_height,
                max_bitrate=rate,
                level=_level(rung_width, rung_height, fps, rate),
            )
        )
    return rungs


def ladder_arguments(
    *,
    source: str,
    rungs: list[Rung],
    fps: float,
    audio: bool,
    preset: str,
    key_info_file: str | None,
    extra_filters: list[str] = (),
    deinterlace: bool = False,
) -> tuple[list[str], str]:
    """ffmpeg arguments that decode ``source`` (at ``fps``) once and encode every rung into HLS.

    Writes ``<rung>/index.m3u8`` and ``<rung>/seg_00000.ts`` ... relative to the working
    directory, AES-128 encrypted when ``key_info_file`` is given. ``extra_filters`` are filter
    chains fed by more outputs of the same split, named ``[x0]``, ``[x1]`` ... in order (posters
    and storyboards ride on the one decode). Returns ``(arguments, hls_output)``: the caller
    adds further outputs after them."""
    target_fps = output_fps(fps)
    gop = max(1, round(target_fps * KEYFRAME_SECONDS))
    graph = _filter_graph(
        rungs=rungs, fps=fps, target_fps=target_fps, extra_filters=extra_filters, deinterlace=deinterlace
    )
    arguments = ["-i", source, "-filter_complex", graph]
    for index in range(len(rungs)):
        arguments += ["-map", f"[v{index}]"]
    if audio:
        arguments += ["-map", "0:a:0"] * len(rungs)
    arguments += _video_encoding_arguments(rungs=rungs, preset=preset, gop=gop)
    if audio:
        arguments += ["-c:a", "aac", "-b:a", str(AUDIO_BITRATE), "-ac", "2", "-ar", "48000"]
    arguments += _hls_arguments(rungs=rungs, audio=audio, key_info_file=key_info_file)
    return arguments, "%v/index.m3u8"


def _filter_graph(
    *, rungs: list[Rung], fps: float, target_fps: float, extra_filters: list[str], deinterlace: bool
) -> str:
    """The one decode split into a scaled ``[v<n>]`` per rung and the ``[x<n>]`` extra chains."""
    count = len(rungs) + len(extra_filters)
    # Normalise once before the split: progressive (a camcorder's 1080i), 8-bit 4:2:0 (what High
    # profile plays everywhere) and a constant frame rate when the source's is too high or unknown.
    head = "[0:v]" + ("yadif," if deinterlace else "") + "format=yuv420p"
    head += f",fps={target_fps:g}" if target_fps != fps else ""
    labels = [f"[s{index}]" for index in range(count)]
    chains = [f"{head},split={count}{''.join(labels)}"] if count > 1 else [f"{head}[s0]"]
    for index, rung in enumerate(rungs):
        chains.append(f"[s{index}]scale={rung.width}:{rung.height},setsar=1[v{index}]")
    for offset, chain in enumerate(extra_filters):
        chains.append(f"[s{len(rungs) + offset}]{chain}[x{offset}]")
    return ";".join(chains)


def _video_encoding_arguments(*, rungs: list[Rung], preset: str, gop: int) -> list[str]:
    """H.264 for every rung: each with its bitrate cap and level, keyframes on a fixed grid."""
    arguments = ["-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-crf", str(CRF)]
    for index, rung in enumerate(rungs):
        arguments += [
            f"-maxrate:v:{index}",
            str(rung.max_bitrate),
            f"-bufsize:v:{index}",
            str(rung.max_bitrate * KEYFRAME_SECONDS),
            f"-level:v:{index}",
            rung.level,
        ]
    # A keyframe exactly every 2 s and nowhere else: no scene-cut keyframes, so segments cut at
    # 6 s on the dot and every rung's segments line up for switching.
    arguments += ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0"]
    arguments += ["-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})"]
    return arguments


def _hls_arguments(*, rungs: list[Rung], audio: bool, key_info_file: str | None) -> list[str]:
    """The HLS muxer: 6 s MPEG-TS segments per rung (``%v`` = the rung's name), encrypted when
    ``key_info_file`` is given."""
    arguments = ["-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"]
    arguments += ["-hls_flags", "independent_segments", "-hls_segment_type", "mpegts"]
    if key_info_file:
        arguments += ["-hls_key_info_file", key_info_file]
    streams = " ".join(
        f"v:{index}" + (f",a:{index}" if audio else "") + f",name:{rung.name}"
        for index, rung in enumerate(rungs)
    )
    arguments += ["-hls_segment_filename", "%v/seg_%05d.ts", "-var_stream_map", streams]
    return arguments
