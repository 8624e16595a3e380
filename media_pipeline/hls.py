"""Reading the media playlists ffmpeg writes and writing the master playlist ourselves.

ffmpeg's own master playlist lists the rungs in encoding order with nominal rates; ours lists
the start rung first (players start with the first entry) and states what was measured:
BANDWIDTH is the peak segment bit-rate, AVERAGE-BANDWIDTH the whole rung's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


@dataclass(frozen=True)
class Segment:
    uri: str
    duration: float


def attributes(line: str) -> dict[str, str]:
    """``#EXT-X-KEY:METHOD=AES-128,URI="key"`` -> {"METHOD": "AES-128", "URI": "key"}."""
    _, _, body = line.partition(":")
    return {name: value.strip('"') for name, value in _ATTRIBUTE.findall(body)}


def media_segments(text: str) -> list[Segment]:
    """The segments of a media playlist, in order."""
    segments, duration = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append(Segment(uri=line, duration=duration))
            duration = None
    return segments


def media_key(text: str) -> dict[str, str]:
    """The attributes of the playlist's (first) ``#EXT-X-KEY``, or {} when unencrypted."""
    for line in text.splitlines():
        if line.startswith("#EXT-X-KEY:"):
            return attributes(line)
    return {}


def media_playlist(segments: list[Segment]) -> str:
    """An unencrypted VOD playlist of ``segments`` (the free preview)."""
    target = max((round(segment.duration + 0.499) for segment in segments), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for segment in segments:
        lines += [f"#EXTINF:{segment.duration:.6f},", segment.uri]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def master_playlist(renditions: list[dict], *, frame_rate: float) -> str:
    """The master playlist listing ``renditions`` in the order given (the first plays first)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rendition in renditions:
        lines.append(
            "#EXT-X-STREAM-INF:"
            f"BANDWIDTH={rendition['bandwidth']},"
            f"AVERAGE-BANDWIDTH={rendition['average_bandwidth']},"
            f"RESOLUTION={rendition['width']}x{rendition['height']},"
            f'CODECS="{rendition["codecs"]}",'
            f"FRAME-RATE={frame_rate:.3f}"
        )
        lines.append(rendition["playlist"])
    return "\n".join([*lines, ""])
