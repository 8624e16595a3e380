"""``python -m bench.media``: the processing pipeline beside one plain ffmpeg command.

Generates a test clip (``testsrc2`` with a tone; 60 s of 1080p by default), then, for
``--rounds`` rounds, alternating which goes first: the pipeline's whole run
(``media_pipeline.services.asset_process``: claim, probe, the one ffmpeg pass that also takes the
poster, thumbnails and storyboard, measuring, the master playlist, the storyboard sprite, the free
preview, the upload to storage and the publishing save) and one plain ffmpeg command producing
the same ladder (same binary, rungs, encoder settings, segments and AES-128 encryption, without
anything else). Reports medians of wall time, their ratio (target ≤ 1.1), the ratio of CPU time
(robust against other work on the machine) and the first segment of the rung the master playlist
lists first. Writes ``bench/results/media.json`` and ``media.svg``.

Uses the benchmark database (``BENCH_DATABASE_URL`` or ``bench/.bench.sqlite3``; migrated when
behind) and local media under ``bench/.media/``; the assets it makes are deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "media.json"
MAX_RATIO = 1.1


def _clip(directory: Path, *, seconds: int, height: int, fps: int) -> Path:
    from media_pipeline.tools import ffmpeg_binary

    width = height * 16 // 9
    path = directory / f"testsrc2-{seconds}s-{height}p{fps}.mp4"
    command = [ffmpeg_binary(), "-v", "error", "-y"]
    command += ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    command += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    command += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
    command += ["-c:a", "aac", "-b:a", "128k", "-shortest", str(path)]
    subprocess.run(command, check=True)
    return path


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg), user and system."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(run) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result) of ``run()``."""
    cpu, started = _cpu_seconds(), time.perf_counter()
    result = run()
    return time.perf_counter() - started, _cpu_seconds() - cpu, result


def _plain_ffmpeg(source: Path, probe: dict, preset: str) -> tuple[float, float]:
    """One ffmpeg command making the same encrypted ladder, in a scratch directory; wall and CPU
    seconds."""
    from media_pipeline.ladder import ladder_arguments, ladder_for
    from media_pipeline.tools import ffmpeg_binary

    rungs = ladder_for(width=probe["width"], height=probe["height"], fps=probe["fps"])
    with tempfile.TemporaryDirectory(prefix="bench-media-") as work:
        key_file, key_info = Path(work) / "content.key", Path(work) / "key_info"
        key_file.write_bytes(os.urandom(16))
        key_info.write_text(f"key\n{key_file}\n{os.urandom(16).hex()}\n")
        arguments, output = ladder_arguments(
            source=str(source),
            rungs=rungs,
            fps=probe["fps"],
            audio=probe["has_audio"],
            preset=preset,
            key_info_file=str(key_info),
        )
        for rung in rungs:
            (Path(work) / rung.name).mkdir()
        command = [
            ffmpeg_binary(),
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            *arguments,
            output,
        ]
        wall, cpu, _ = _timed(lambda: subprocess.run(command, cwd=work, check=True))
        return wall, cpu


def _pipeline(source: Path) -> tuple[float, float, Any]:
    """The pipeline's whole run on a new asset: wall and CPU seconds, and the asset."""
    from django.core.files import File

    from media_pipeline.models import VideoAsset
    from media_pipeline.services import asset_process

    # As services.asset_create stores an upload, without queueing a task: the run is timed here.
    asset = VideoAsset(title="bench", stage="queued")
    with source.open("rb") as handle:
        asset.source.save(f"{asset.uuid}/{source.name}", File(handle), save=False)
    asset.source_size = asset.source.size
    asset.save()
    elapsed, cpu, asset = _timed(lambda: asset_process(asset_id=asset.pk))
    if asset.status != VideoAsset.Status.READY:
        raise SystemExit(f"The pipeline failed: {asset.failure_reason}")
    return elapsed, cpu, asset


def _cleanup(asset) -> None:
    from media_pipeline.storage import asset_directory, directory_delete

    directory_delete(asset_directory(asset.uuid))
    # video-sources/<uuid>/, in the private storage
    directory_delete(f"{Path(asset.source.name).parent.as_posix()}/", storage=asset.source.storage)
    asset.delete()


def _ffmpeg_version() -> str:
    from media_pipeline.tools import ffmpeg_binary

    first = subprocess.run([ffmpeg_binary(), "-version"], capture_output=True, text=True).stdout.splitlines()
    return first[0] if first else "unknown"


def _chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (times, sizes) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    rows = [("pipeline", result["pipeline"]), ("plain ffmpeg", result["plain_ffmpeg"])]
    for position, (_name, row) in enumerate(rows):
        times.barh(position, row["median_seconds"], 0.5, color="#6a8caf" if position else "#2e7d32")
        times.scatter(row["seconds"], [position] * len(row["seconds"]), color="black", s=10, zorder=3)
        times.annotate(f" {row['median_seconds']:.1f} s", (row["median_seconds"], position), va="center")
    allowed = result["plain_ffmpeg"]["median_seconds"] * MAX_RATIO
    met_colour = "#2e7d32" if result["target"]["met"] else "#c62828"
    times.plot([allowed, allowed], [-0.4, 0.4], color=met_colour, ls="--", lw=2)
    times.set_yticks([0, 1], [name for name, _ in rows])
    times.invert_yaxis()
    times.set_xlabel(f"seconds (dots: rounds; dashed: {MAX_RATIO}× plain ffmpeg)")
    renditions = result["renditions"]
    sizes.barh(
        range(len(renditions)),
        [rendition["first_segment_bytes"] / 1e6 for rendition in renditions],
        0.5,
        color=["#2e7d32"] + ["#6a8caf"] * (len(renditions) - 1),
    )
    sizes.axvline(result["start_segment_max_bytes"] / 1e6, color="#c62828", ls="--")
    sizes.set_yticks(range(len(renditions)), [rendition["name"] for rendition in renditions])
    sizes.invert_yaxis()
    sizes.set_xlabel("first segment, MB (green: listed first; dashed: limit)")
    clip = result["clip"]
    figure.suptitle(
        f"Processing {clip['seconds']} s of {clip['height']}p: wall-time ratio {result['ratio']:.2f} "
        f"({'PASS' if result['target']['met'] else 'FAIL'}), CPU-time ratio {result['cpu_ratio']:.2f}"
    )
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)


def main(*, rounds: int, seconds: int, height: int, fps: int, output: Path) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.database import database_create_if_missing, database_migrate
    from media_pipeline.tools import ffprobe

    database_create_if_missing()
    database_migrate()
    pipeline_seconds: list[float] = []
    plain_seconds: list[float] = []
    pipeline_cpu: list[float] = []
    plain_cpu: list[float] = []
    last = None
    with tempfile.TemporaryDirectory(prefix="bench-media-clip-") as directory:
        print(f"Generating a {seconds} s {height}p clip …", flush=True)
        source = _clip(Path(directory), seconds=seconds, height=height, fps=fps)
        probe = ffprobe(source)
        for number in range(rounds):
            # Alternate which goes first, so neither always meets a cooler (or busier) machine.
            order = ("pipeline", "plain") if number % 2 == 0 else ("plain", "pipeline")
            for which in order:
                if which == "plain":
                    wall, cpu = _plain_ffmpeg(source, probe, settings.MEDIA_X264_PRESET)
                    plain_seconds.append(wall)
                    plain_cpu.append(cpu)
                else:
                    elapsed, cpu, asset = _pipeline(source)
                    pipeline_seconds.append(elapsed)
                    pipeline_cpu.append(cpu)
                    if last is not None:
                        _cleanup(last)
                    last = asset
            print(
                f"  round {number + 1}/{rounds}: pipeline {pipeline_seconds[-1]:.1f} s"
                f" (CPU {pipeline_cpu[-1]:.1f} s), plain ffmpeg {plain_seconds[-1]:.1f} s"
                f" (CPU {plain_cpu[-1]:.1f} s)",
                flush=True,
            )
    pipeline_median, plain_median = statistics.median(pipeline_seconds), statistics.median(plain_seconds)
    ratio = pipeline_median / plain_median
    start = last.renditions[0]
    result = {
        "clip": {
            "seconds": seconds,
            "width": probe["width"],
            "height": height,
            "fps": fps,
            "source": "testsrc2 + sine",
        },
        "rounds": rounds,
        "pipeline": {
            "what": "services.asset_process: probe, one ffmpeg pass (ladder + poster, thumbnails,"
            " storyboard), master playlist, sprite, preview, upload to local storage, publish",
            "seconds": [round(value, 3) for value in pipeline_seconds],
            "median_seconds": round(pipeline_median, 3),
            "cpu_seconds": [round(value, 3) for value in pipeline_cpu],
            "median_cpu_seconds": round(statistics.median(pipeline_cpu), 3),
        },
        "plain_ffmpeg": {
            "what": "one ffmpeg command: the same rungs, encoder settings, 6 s segments and AES-128",
            "seconds": [round(value, 3) for value in plain_seconds],
            "median_seconds": round(plain_median, 3),
            "cpu_seconds": [round(value, 3) for value in plain_cpu],
            "median_cpu_seconds": round(statistics.median(plain_cpu), 3),
        },
        "ratio": round(ratio, 3),
        # Each round's two runs are minutes apart; the median of their ratios cancels slower drift
        # in the machine's load better than the ratio of the medians (the target's figure).
        "paired_ratio_median": round(
            statistics.median(p / q for p, q in zip(pipeline_seconds, plain_seconds, strict=True)), 3
        ),
        # Wall time on a shared machine moves with everything else running; CPU time (ffmpeg's
        # and ours) says how much work each did, whatever the load.
        "cpu_ratio": round(statistics.median(pipeline_cpu) / statistics.median(plain_cpu), 3),
        "target": {"max_ratio": MAX_RATIO, "met": ratio <= MAX_RATIO},
        "realtime_factor": round(seconds / pipeline_median, 2),
        "first_listed_rung": {"name": start["name"], "first_segment_bytes": start["first_segment_bytes"]},
        "start_segment_max_bytes": settings.MEDIA_START_SEGMENT_MAX_BYTES,
        "renditions": last.renditions,
        "machine": {
            "cpu": _cpu(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "ffmpeg": _ffmpeg_version(),
            "preset": settings.MEDIA_X264_PRESET,
            "database": connection.vendor,
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        },
    }
    _cleanup(last)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    _chart(result, output.with_suffix(".svg"))
    verdict = "PASS" if result["target"]["met"] else "FAIL"
    print(f"pipeline median {pipeline_median:.2f} s · plain ffmpeg median {plain_median:.2f} s")
    print(f"ratio {ratio:.3f} (target ≤ {MAX_RATIO}) {verdict}")
    paired, cpu = result["paired_ratio_median"], result["cpu_ratio"]
    print(f"median of the rounds' ratios {paired:.3f}, CPU time ratio {cpu:.3f}")
    print(f"first-listed rung {start['name']}: first segment {start['first_segment_bytes']:,} bytes")
    print(f"wrote {output} and {output.with_suffix('.svg').name}")
    return 0


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.media", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each (medians are reported)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the test clip")
    parser.add_argument("--height", type=int, default=1080, help="height of the test clip (16:9)")
    parser.add_argument("--fps", type=int, default=30, help="frame rate of the test clip")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="results JSON (the chart goes beside it)"
    )
    arguments = parser.parse_args()
    raise SystemExit(
        main(
            rounds=arguments.rounds,
            seconds=arguments.seconds,
            height=arguments.height,
            fps=arguments.fps,
            output=arguments.output,
        )
    )
