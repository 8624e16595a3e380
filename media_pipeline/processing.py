"""One processing run on local files: source in, a finished generation directory out.

No database and no storage here (``services.py`` owns those): :func:`source_check` refuses what
cannot become a video, :func:`package` writes into ``output`` everything a generation holds:

    master.m3u8, <rung>/index.m3u8 + seg_*.ts (AES-128), poster.jpg, thumbs/NN.jpg,
    storyboard.jpg + storyboard.vtt, preview/index.m3u8 + seg_*.ts (unencrypted)

The source is decoded once: one ffmpeg process scales it into every rung and, from the same
decoded frames, takes the poster, the thumbnails and the storyboard tiles. The free preview is
not encoded again either: it is the first segments of the middle rung, decrypted (keyframes every
2 s make any segment boundary a clean cut), remuxed only when the preview ends mid-segment.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from PIL import Image

from . import hls
from .errors import MediaInputError
from .ladder import Rung, ladder_arguments, ladder_for, output_fps
from .tools import ffmpeg_run, last_error_line

MASTER = "master.m3u8"
POSTER = "poster.jpg"
STORYBOARD_IMAGE = "storyboard.jpg"
STORYBOARD_VTT = "storyboard.vtt"
PREVIEW_PLAYLIST = "preview/index.m3u8"
STORYBOARD_TILE_WIDTH = 160
STORYBOARD_COLUMNS = 10
STORYBOARD_MAX_TILES = 120
THUMBNAIL_COUNT = 4
THUMBNAIL_WIDTH = 480
MIN_DURATION = 1.0
# An encode shorter than this share of the probed duration means the file is cut short.
MIN_ENCODED_SHARE = 0.9


@dataclass
class Package:
    """What a run made, as the asset's fields will hold it (paths relative to the generation)."""

    renditions: list[dict]
    master_playlist: str
    poster: str
    thumbnails: list[str]
    storyboard_image: str
    storyboard_vtt: str
    preview_playlist: str
    preview_seconds: int
    encoded_seconds: float


def source_check(probe: dict) -> None:
    """Refuse, with a reason staff can act on, what probing shows cannot become a video."""
    if not probe.get("video_codec"):
        kind = "audio only" if probe.get("has_audio") else "no picture"
        raise MediaInputError(f"The file has no video stream ({kind}).")
    if probe["video_codec"] == "unknown":
        tag = probe.get("video_codec_tag") or "no tag"
        raise MediaInputError(f"The video codec is not supported (the file calls it {tag!r}).")
    if not probe.get("width") or not probe.get("height"):
        raise MediaInputError(f"The video stream ({probe['video_codec']}) has no picture size.")
    if probe.get("duration", 0) < MIN_DURATION:
        raise MediaInputError(
            f"The video is too short ({probe.get('duration', 0):.2f} s): a still image or a broken file?"
        )


def poster_time(duration: float) -> float:
    """Where the poster is taken: at 10 % of the video, but not in its first 2 s."""
    return max(duration * 0.1, min(2.0, duration / 2))


def storyboard_interval(duration: float) -> int:
    """Seconds per storyboard tile: 2 s for short videos, fewer tiles than 120 for long ones."""
    return max(2, math.ceil(duration / STORYBOARD_MAX_TILES))


def _select_at(times: list[float]) -> str:
    # The first frame at or after each time (commas escaped for the filter graph).
    return "select=" + "+".join(f"gte(t\\,{time:.3f})*lt(prev_t\\,{time:.3f})" for time in times)


def package(
    *,
    source: Path,
    probe: dict,
    output: Path,
    private: Path,
    key: bytes,
    iv: bytes,
    preset: str,
    preview_seconds: int,
    start_segment_max_bytes: int,
    on_progress: Callable[[float], None] | None = None,
) -> Package:
    """Encode ``source`` into ``output``; ``private`` holds what must never be uploaded (the key)."""
    duration = float(probe["duration"])
    fps = float(probe.get("fps") or 0)
    audio = bool(probe.get("has_audio"))
    rungs = ladder_for(width=probe["width"], height=probe["height"], fps=fps)
    tiles, key_info = _workspace_prepare(output, private, rungs=rungs, key=key, iv=iv)
    interval = storyboard_interval(duration)
    arguments = _encode_arguments(
        source=source,
        duration=duration,
        fps=fps,
        audio=audio,
        deinterlace=bool(probe.get("interlaced")),
        rungs=rungs,
        preset=preset,
        key_info=key_info,
        tiles=tiles,
        interval=interval,
    )
    errors = ffmpeg_run(arguments, cwd=output, duration=duration, on_progress=on_progress, hide=source)

    renditions, encoded = _renditions(output, rungs, audio=audio)
    _require_decoded(encoded=encoded, duration=duration, errors=errors, source=source)
    renditions = start_first(renditions, max_bytes=start_segment_max_bytes)
    (output / MASTER).write_text(hls.master_playlist(renditions, frame_rate=output_fps(fps)))
    storyboard = _storyboard(tiles, output, interval=interval, duration=encoded)
    preview = _preview(output, private, rungs=rungs, key=key, iv=iv, seconds=min(preview_seconds, encoded))
    return Package(
        renditions=renditions,
        master_playlist=MASTER,
        poster=POSTER if (output / POSTER).is_file() else "",
        thumbnails=sorted(f"thumbs/{path.name}" for path in (output / "thumbs").glob("*.jpg")),
        storyboard_image=STORYBOARD_IMAGE if storyboard else "",
        storyboard_vtt=STORYBOARD_VTT if storyboard else "",
        preview_playlist=PREVIEW_PLAYLIST if preview else "",
        preview_seconds=round(preview),
        encoded_seconds=encoded,
    )


def _workspace_prepare(
    output: Path, private: Path, *, rungs: list[Rung], key: bytes, iv: bytes
) -> tuple[Path, Path]:
    """The directories ffmpeg writes into, and the key it encrypts with (kept in ``private``);
    returns the storyboard tiles' directory and ffmpeg's key info file."""
    for rung in rungs:
        (output / rung.name).mkdir(parents=True, exist_ok=True)
    (output / "thumbs").mkdir(exist_ok=True)
    tiles = private / "tiles"
    tiles.mkdir()
    key_file, key_info = private / "content.key", private / "key_info"
    key_file.write_bytes(key)
    # The playlists name the key "key" (relative); playback rewrites it to the signed key URL.
    key_info.write_text(f"key\n{key_file}\n{iv.hex()}\n")
    return tiles, key_info


def _encode_arguments(
    *,
    source: Path,
    duration: float,
    fps: float,
    audio: bool,
    deinterlace: bool,
    rungs: list[Rung],
    preset: str,
    key_info: Path,
    tiles: Path,
    interval: int,
) -> list[str]:
    """The one ffmpeg command line: the ladder, and from the same decoded frames the poster
    (``[x0]``), the thumbnails (``[x1]``) and the storyboard tiles (``[x2]``)."""
    top = rungs[-1]
    thumbnail_times = [duration * (index + 1) / (THUMBNAIL_COUNT + 1) for index in range(THUMBNAIL_COUNT)]
    thumbnail_width = min(THUMBNAIL_WIDTH, top.width)
    extras = [
        f"{_select_at([poster_time(duration)])},scale={top.width}:{top.height},setsar=1",
        f"{_select_at(thumbnail_times)},scale={thumbnail_width}:-2,setsar=1",
        f"fps=1/{interval},scale={STORYBOARD_TILE_WIDTH}:-2,setsar=1",
    ]
    arguments, hls_output = ladder_arguments(
        source=str(source),
        rungs=rungs,
        fps=fps,
        audio=audio,
        preset=preset,
        key_info_file=str(key_info),
        extra_filters=extras,
        deinterlace=deinterlace,
    )
    arguments += [hls_output]
    arguments += ["-map", "[x0]", "-q:v", "3", "-update", "1", POSTER]
    arguments += ["-map", "[x1]", "-fps_mode", "passthrough", "-q:v", "4", "thumbs/%02d.jpg"]
    arguments += ["-map", "[x2]", "-fps_mode", "passthrough", "-q:v", "5", str(tiles / "%05d.jpg")]
    return arguments


def _require_decoded(*, encoded: float, duration: float, errors: str, source: Path) -> None:
    """Refuse a source of which too little could be decoded (a file cut short)."""
    if encoded < duration * MIN_ENCODED_SHARE:
        detail = last_error_line(errors, hide=source)
        raise MediaInputError(
            f"The file seems cut short: only {encoded:.1f} s of its {duration:.1f} s could be decoded."
            + (f" ffmpeg: {detail}" if detail else "")
        )


def _renditions(output: Path, rungs: list[Rung], *, audio: bool) -> tuple[list[dict], float]:
    """Each rung as the master playlist and the asset describe it, measured from its segments;
    and the shortest rung's length in seconds."""
    renditions, lengths = [], []
    for rung in rungs:
        playlist = output / rung.name / "index.m3u8"
        segments = hls.media_segments(playlist.read_text()) if playlist.is_file() else []
        if not segments:
            raise MediaInputError(
                f"ffmpeg wrote no segments for {rung.name}: the video could not be decoded."
            )
        sizes = [(output / rung.name / segment.uri).stat().st_size for segment in segments]
        seconds = sum(segment.duration for segment in segments)
        # BANDWIDTH is the peak segment rate; a last segment under a second says little about it.
        rates = [
            size * 8 / segment.duration
            for size, segment in zip(sizes, segments, strict=True)
            if segment.duration >= 1 or len(segments) == 1
        ]
        renditions.append(
            {
                "name": rung.name,
                "width": rung.width,
                "height": rung.height,
                "bandwidth": math.ceil(max(rates)),
                "average_bandwidth": math.ceil(sum(sizes) * 8 / seconds),
                "codecs": rung.codecs(audio=audio),
                "playlist": f"{rung.name}/index.m3u8",
                "first_segment_bytes": sizes[0],
            }
        )
        lengths.append(seconds)
    return renditions, min(lengths)


def start_first(renditions: list[dict], *, max_bytes: int) -> list[dict]:
    """The renditions in master order: first the start rung, the largest whose first segment
    is at most ``max_bytes`` (the smallest when none is), then the others by bandwidth."""
    ordered = sorted(renditions, key=lambda rendition: rendition["average_bandwidth"])
    fitting = [rendition for rendition in ordered if rendition["first_segment_bytes"] <= max_bytes]
    start = max(fitting, key=lambda rendition: rendition["height"]) if fitting else ordered[0]
    return [start] + [rendition for rendition in ordered if rendition is not start]


def _timestamp(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _storyboard(tiles: Path, output: Path, *, interval: int, duration: float) -> bool:
    """Lay the tiles out in a grid (``storyboard.jpg``) and write the WebVTT that points each
    stretch of time at its tile (``storyboard.jpg#xywh=x,y,w,h``)."""
    # ffmpeg's fps filter may add a tile at the very end; one tile per started interval.
    paths = sorted(tiles.glob("*.jpg"))[: math.ceil(duration / interval)]
    if not paths:
        return False
    with Image.open(paths[0]) as first:
        width, height = first.size
    columns = min(STORYBOARD_COLUMNS, len(paths))
    rows = math.ceil(len(paths) / columns)
    sheet = Image.new("RGB", (columns * width, rows * height))
    cues = ["WEBVTT", ""]
    for index, path in enumerate(paths):
        x, y = (index % columns) * width, (index // columns) * height
        with Image.open(path) as tile:
            sheet.paste(tile.convert("RGB"), (x, y))
        start = index * interval
        end = min(duration, start + interval)
        cues += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{STORYBOARD_IMAGE}#xywh={x},{y},{width},{height}",
            "",
        ]
    sheet.save(output / STORYBOARD_IMAGE, "JPEG", quality=70, optimize=True)
    (output / STORYBOARD_VTT).write_text("\n".join(cues))
    return True


def segment_decrypt(data: bytes, *, key: bytes, iv: bytes) -> bytes:
    """An AES-128 HLS segment (CBC, PKCS#7 padding) in the clear."""
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(data) + decryptor.finalize()) + unpadder.finalize()


def _preview(
    output: Path, private: Path, *, rungs: list[Rung], key: bytes, iv: bytes, seconds: float
) -> float:
    """The first ``seconds`` of the middle rung, unencrypted, under ``preview/``; its length."""
    if seconds <= 0:
        return 0.0
    rung = rungs[(len(rungs) - 1) // 2]
    chosen, covered = [], 0.0
    for segment in hls.media_segments((output / rung.name / "index.m3u8").read_text()):
        if covered >= seconds - 0.01:
            break
        chosen.append(segment)
        covered += segment.duration
    target = output / "preview"
    target.mkdir()
    clear = [segment_decrypt((output / rung.name / s.uri).read_bytes(), key=key, iv=iv) for s in chosen]
    if covered <= seconds + 0.05:
        # Whole segments make the preview exactly: keep them as they are, only unencrypted.
        for segment, data in zip(chosen, clear, strict=True):
            (target / segment.uri).write_bytes(data)
        (target / "index.m3u8").write_text(hls.media_playlist(chosen))
        return covered
    # The preview ends inside a segment: cut there without re-encoding (stream copy).
    joined = private / "preview-source.ts"
    joined.write_bytes(b"".join(clear))
    ffmpeg_run(
        ["-i", str(joined), "-map", "0", "-c", "copy", "-t", f"{seconds:.3f}", "-f", "hls", "-hls_time", "6"]
        + ["-hls_playlist_type", "vod", "-hls_flags", "independent_segments"]
        + ["-hls_segment_filename", "preview/seg_%05d.ts", "preview/index.m3u8"],
        cwd=output,
    )
    return sum(segment.duration for segment in hls.media_segments((target / "index.m3u8").read_text()))
