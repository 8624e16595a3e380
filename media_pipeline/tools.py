"""ffmpeg and ffprobe: which binaries, what a probe says, and running ffmpeg with progress.

The system's tools win when installed (Debian's ffmpeg in production and CI; settings
``MEDIA_FFMPEG`` / ``MEDIA_FFPROBE`` name others). A machine with nothing but Python still
works: ffmpeg is then the static binary of the ``imageio-ffmpeg`` wheel, and probing falls back
to PyAV (``av``), whose wheel bundles FFmpeg's libraries, because that wheel has no ffprobe.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from django.conf import settings

from .errors import MediaInputError, MediaTransientError

PROBE_TIMEOUT_SECONDS = 120


@functools.cache
def _which(name: str, configured: str) -> str | None:
    return configured or shutil.which(name)


def ffmpeg_binary() -> str:
    """The ffmpeg to run: ``MEDIA_FFMPEG``, else the system's, else imageio-ffmpeg's."""
    found = _which("ffmpeg", settings.MEDIA_FFMPEG)
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as error:  # pragma: no cover - it is a pinned requirement
        raise MediaTransientError("No ffmpeg found: install ffmpeg or the imageio-ffmpeg wheel.") from error
    return imageio_ffmpeg.get_ffmpeg_exe()


def ffprobe_binary() -> str | None:
    """The ffprobe to run, or None when only PyAV can probe."""
    return _which("ffprobe", settings.MEDIA_FFPROBE)


def last_error_line(text: str, *, hide: str | Path | None = None, lines: int = 1) -> str:
    """The last non-empty line(s) of a tool's error output, without our temporary paths.

    ``lines=2`` adds the line before when it differs: "moov atom not found" explains the
    "Invalid data found when processing input" that follows it."""
    found: list[str] = []
    for raw in reversed(text.splitlines()):
        line = raw.strip()
        if hide:
            line = line.replace(f"{hide}: ", "").replace(str(hide), "the file")
        # "[in#0 @ 0x55d0c0a4e2c0] ..." -> "[in#0] ...": addresses change every run.
        line = re.sub(r" @ 0x[0-9a-f]+\]", "]", line)
        if line and line not in found:
            found.append(line)
        if len(found) == lines:
            break
    return "; ".join(reversed(found))[:500]


def _ratio(value: str | None) -> float:
    try:
        ratio = Fraction(value or "0")
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(ratio) if ratio > 0 else 0.0


def _shape(*, width: int, height: int, sar: float, rotation: int) -> tuple[int, int]:
    """The picture as shown: anamorphic pixels stretched, a phone's rotation applied."""
    display_width = round(width * sar) if sar > 0 else width
    if abs(rotation) % 180 == 90:
        return height, display_width
    return display_width, height


def ffprobe(path: str | Path) -> dict:
    """What the file holds, as a flat dict: ``duration`` (s), ``width`` and ``height`` (as
    displayed), ``fps``, ``video_codec`` and ``video_codec_tag`` (its container's name for it),
    ``audio_codec`` (None without audio), ``has_audio``, ``pix_fmt``, ``rotation``,
    ``interlaced``, ``format``, ``bit_rate``, ``size`` and ``tool``.

    ``video_codec`` is None when the file has no video stream (an attached cover picture does
    not count). Raises ``MediaInputError`` when the file cannot be read as media at all."""
    path = Path(path)
    binary = ffprobe_binary()
    result = _probe_with_ffprobe(binary, path) if binary else _probe_with_pyav(path)
    result["size"] = path.stat().st_size
    return result


def _probe_with_ffprobe(binary: str, path: Path) -> dict:
    data = _ffprobe_json(binary, path)
    streams = data.get("streams", [])
    video = next(
        (
            stream
            for stream in streams
            if stream.get("codec_type") == "video" and not stream.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((stream for stream in streams if stream.get("codec_type") == "audio"), None)
    fmt = data.get("format", {})
    durations = [float(fmt.get("duration") or 0)] + [float(s.get("duration") or 0) for s in streams]
    result = {
        "tool": "ffprobe",
        "format": fmt.get("format_name", ""),
        "duration": max(durations),
        "bit_rate": int(fmt.get("bit_rate") or 0),
        "video_codec": None,
        "video_codec_tag": "",
        "audio_codec": audio.get("codec_name") if audio else None,
        "has_audio": audio is not None,
        "width": 0,
        "height": 0,
        "fps": 0.0,
        "pix_fmt": "",
        "rotation": 0,
        "interlaced": False,
    }
    if video:
        result.update(_ffprobe_video(video))
    return result


def _ffprobe_json(binary: str, path: Path) -> dict:
    """ffprobe's description of the file's format and streams, refused when it cannot read it."""
    command = [binary, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_SECONDS)  # noqa: S603
    except subprocess.TimeoutExpired as error:
        raise MediaInputError("ffprobe could not read the file within two minutes.") from error
    if completed.returncode != 0:
        detail = last_error_line(completed.stderr, hide=path, lines=2) or "ffprobe failed"
        raise MediaInputError(f"The file cannot be read as a video: {detail}")
    return json.loads(completed.stdout or "{}")


def _ffprobe_video(video: dict) -> dict:
    """The probe's video fields from ffprobe's video stream: the shape as displayed (rotation
    and non-square pixels applied), frame rate, pixel format, interlacing."""
    rotation = 0
    for side_data in video.get("side_data_list", []):
        if "rotation" in side_data:
            rotation = int(float(side_data["rotation"]))
    rotation = rotation or int(video.get("tags", {}).get("rotate", 0) or 0)
    width, height = _shape(
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        sar=_ratio((video.get("sample_aspect_ratio") or "1:1").replace(":", "/")),
        rotation=rotation,
    )
    return {
        "video_codec": video.get("codec_name") or "unknown",
        "video_codec_tag": video.get("codec_tag_string", ""),
        "width": width,
        "height": height,
        "fps": _ratio(video.get("avg_frame_rate")) or _ratio(video.get("r_frame_rate")),
        "pix_fmt": video.get("pix_fmt", ""),
        "rotation": rotation,
        "interlaced": video.get("field_order", "progressive") in {"tt", "bb", "tb", "bt"},
    }


def _probe_with_pyav(path: Path) -> dict:
    import av

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as error:
        detail = last_error_line(str(error), hide=path) or type(error).__name__
        raise MediaInputError(f"The file cannot be read as a video: {detail}") from error
    with container:
        videos = [
            stream
            for stream in container.streams.video
            if not (
                int(getattr(stream, "disposition", 0) or 0)
                & int(getattr(av.stream.Disposition, "attached_pic", 0))
            )
        ]
        audios = list(container.streams.audio)
        durations = [container.duration / av.time_base if container.duration else 0.0]
        durations += [
            float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base
        ]
        result = {
            "tool": "pyav",
            "format": container.format.name,
            "duration": max(durations),
            "bit_rate": int(container.bit_rate or 0),
            "video_codec": None,
            "video_codec_tag": "",
            "audio_codec": audios[0].codec_context.name if audios else None,
            "has_audio": bool(audios),
            "width": 0,
            "height": 0,
            "fps": 0.0,
            "pix_fmt": "",
            # PyAV does not expose the display matrix simply; a rotated phone clip is probed
            # unrotated here (the system ffprobe gets it right). ffmpeg still rotates it.
            "rotation": 0,
            "interlaced": False,  # not exposed before decoding; ffprobe sees the field order
        }
        if videos:
            video = videos[0]
            context = video.codec_context
            sar = float(video.sample_aspect_ratio) if video.sample_aspect_ratio else 1.0
            width, height = _shape(width=context.width, height=context.height, sar=sar, rotation=0)
            result.update(
                video_codec=context.name or "unknown",
                video_codec_tag=getattr(context, "codec_tag", "") or "",
                width=width,
                height=height,
                fps=float(video.average_rate or video.guessed_rate or 0),
                pix_fmt=context.pix_fmt or "",
            )
    return result


def ffmpeg_run(
    args: list[str],
    *,
    cwd: str | Path,
    duration: float = 0.0,
    on_progress: Callable[[float], None] | None = None,
    hide: str | Path | None = None,
) -> str:
    """Run ffmpeg with ``args`` in ``cwd``; call ``on_progress(fraction)`` as it encodes.

    Returns ffmpeg's error output (empty when all went well; ffmpeg can exit 0 after decoding
    errors). Raises ``MediaInputError`` with ffmpeg's last error line when it fails, or
    ``MediaTransientError`` when it was killed or the disk is full. Whatever ``on_progress``
    raises stops ffmpeg and propagates."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"]
    command += ["-progress", "pipe:1", "-y", *args]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=errors, text=True)  # noqa: S603
        try:
            for line in process.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and on_progress and duration > 0 and value.lstrip("-").isdigit():
                    on_progress(min(1.0, max(0.0, int(value) / 1_000_000 / duration)))
        except BaseException:
            process.kill()
            process.wait()
            raise
        returncode = process.wait()
        errors.seek(0)
        error_text = errors.read().decode(errors="replace")
    if returncode != 0:
        line = last_error_line(error_text, hide=hide) or f"ffmpeg exited with status {returncode}"
        if returncode < 0 or "No space left on device" in error_text:
            raise MediaTransientError(f"ffmpeg stopped: {line}")
        raise MediaInputError(f"ffmpeg could not convert the file: {line}")
    return error_text
