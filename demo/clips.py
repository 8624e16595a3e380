"""Demo videos: real short clips made by ffmpeg, processed by the real pipeline, shown on the
demo's video pages (``seed_demo``).

Each clip is a test pattern with a tone (20 to 60 s), so the demo plays real encrypted HLS with
nothing downloaded: ffmpeg is the system's or the imageio-ffmpeg wheel's
(``media_pipeline.tools.ffmpeg_binary``). A few clips serve every page. Idempotent: a clip
that exists (found by its title) is reused, one that did not finish is processed again, and a
page that already shows a video keeps it.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Model

from media_pipeline.foreground import asset_process_foreground
from media_pipeline.models import VideoAsset
from media_pipeline.pages import asset_attach
from media_pipeline.services import asset_create, asset_process_enqueue
from media_pipeline.tools import ffmpeg_binary

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Clip:
    title: str
    seconds: int
    pattern: str  # an ffmpeg lavfi video source
    tone_hz: int
    width: int = 640
    height: int = 360


# The first clip is 540p so that the demo switches between two rungs (360p and 540p); all are
# small and short to keep `make demo` quick (about 40 s for the three on two busy cores).
CLIPS = [
    Clip("Demo-Clip 1 · Testbild", 20, "testsrc2", 440, 960, 540),
    Clip("Demo-Clip 2 · Farbverlauf", 24, "gradients=speed=0.03", 523),
    Clip("Demo-Clip 3 · Zähler", 30, "testsrc", 659),
]


@dataclass
class Seeded:
    clips: list[VideoAsset]
    created: int
    pages_changed: int


def clip_make(clip: Clip, directory: Path, *, seconds: int | None = None) -> Path:
    """Render ``clip`` to an MP4 (H.264 + AAC) in ``directory``."""
    length = seconds or clip.seconds
    path = directory / f"demo-{clip.tone_hz}.mp4"
    size = f"{clip.width}x{clip.height}"
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-v", "error", "-y"]
    joiner = ":" if "=" in clip.pattern else "="
    command += ["-f", "lavfi", "-i", f"{clip.pattern}{joiner}size={size}:rate=25:duration={length}"]
    command += ["-f", "lavfi", "-i", f"sine=frequency={clip.tone_hz}:sample_rate=48000:duration={length}"]
    # The pipeline encodes it again: a quick, large source beats a slow, small one here.
    command += ["-vf", "format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]
    command += [
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-af",
        "volume=0.3",
        "-shortest",
        "-movflags",
        "+faststart",
        str(path),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)  # noqa: S603
    return path


def seed_demo_videos(
    pages: list[Model], progress: Progress, *, clips: int = len(CLIPS), seconds: int | None = None
) -> Seeded:
    """Make (or find) ``clips`` processed demo clips and show them, in turn, on ``pages``
    (German video pages; their translations follow) that have no video yet."""
    made, created = [], 0
    for number, clip in enumerate(CLIPS[:clips], start=1):
        asset = VideoAsset.objects.filter(title=clip.title).order_by("pk").first()
        label = f"demo clip {number}/{clips}"

        def report(stage: str, percent: int, label=label) -> None:
            progress(f"{label} {stage}", percent if stage != "done" else 100, 100)

        if asset is None:
            created += 1
            with tempfile.TemporaryDirectory(prefix="phialo-demo-") as work:
                progress(f"{label} rendering", 0, 100)
                source = clip_make(clip, Path(work), seconds=seconds)
                asset = asset_process_foreground(
                    queue=lambda clip=clip, source=source: asset_create(title=clip.title, source=source),
                    report=report,
                )
        elif not asset.is_ready:
            asset = asset_process_foreground(queue=lambda asset=asset: _requeued(asset), report=report)
        made.append(asset)
    playable = [asset for asset in made if asset.is_ready]
    changed = 0
    for index, page in enumerate(pages):
        page = type(page).objects.select_related("video").get(pk=page.pk)
        # A page showing a video keeps it; its translations are made to agree with it.
        asset = page.video or (playable[index % len(playable)] if playable else None)
        if asset is not None:
            changed += len(asset_attach(asset=asset, page=page))
    return Seeded(clips=made, created=created, pages_changed=changed)


def _requeued(asset: VideoAsset) -> VideoAsset:
    asset_process_enqueue(asset=asset)
    return asset
