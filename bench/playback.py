"""``python -m bench.playback``: authorising playback and handing out the key, in-process, each
beside its floor.

A shopper who owns a course (a staff grant) plays one of its lessons, which shows a real clip
processed by the pipeline. Per round:

1. ``playback_authorise`` — ``POST /api/v1/videos/{id}/playback/`` with the shopper's session
   cookie: the page with its asset, captions and saved position, access, a signed token;
2. ``master_playlist`` and ``rung_playlist`` — what a player fetches next, without cookies (the
   token in the path names the viewer; the playlist text is cached per run);
3. ``key_player`` — the key for a player without cookies (hls.js on the Astro site's origin):
   the run's sealed key, the token's viewer, access again;
4. ``key_session`` — the key when the player sends the viewer's session cookie;
5. ``playback_refused`` — a signed-in shopper without access: 403 with the offers.

Floors: a bare view answering the same bytes behind the same middleware (``bench.floor``; for
the playlists and the key, JSON of the same size, since the floor view answers JSON), asked with
the same cookies. Queries count the statements that read or write data (BEGIN, COMMIT and
savepoints are left out); the issue's budget is 5 for the authorisation and the key.

Needs the seeded benchmark database (``python -m bench`` first; ``BENCH_DATABASE_URL`` picks
PostgreSQL as there). The first run makes the clip (12 s, 640x360, by ffmpeg), processes it with
the pipeline (half a minute) and shows it on the lesson; later runs reuse it. Writes
``bench/results/playback.json`` (``playback-postgresql.json``) and a chart beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
BUDGETS = {"playback_authorise": 5, "key_player": 5, "key_session": 5}
CLIP_TITLE = "Bench: playback clip"
SHOPPER = "playback@bench.phialo.localhost"
STRANGER = "playback-stranger@bench.phialo.localhost"


def _clip_asset():
    """The bench's processed clip, made and processed on the first run."""
    from media_pipeline.models import VideoAsset
    from media_pipeline.services import asset_create, asset_process
    from media_pipeline.tools import ffmpeg_binary

    asset = VideoAsset.objects.filter(title=CLIP_TITLE, status=VideoAsset.Status.READY).first()
    if asset is not None:
        return asset
    print("Making and processing the bench clip (once) …", flush=True)
    with tempfile.TemporaryDirectory(prefix="phialo-bench-") as work:
        clip = Path(work) / "clip.mp4"
        command = [ffmpeg_binary(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"]
        command += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "12"]
        command += [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(clip),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        asset = asset_create(title=CLIP_TITLE, source=clip)
    asset = asset_process(asset_id=asset.pk)
    if asset.status != VideoAsset.Status.READY:
        raise SystemExit(f"The bench clip did not process: {asset.failure_reason}")
    return asset


def _setup():
    """The lesson (a priced video of a seeded course) showing the clip, its owner, a stranger."""
    from django.contrib.auth import get_user_model

    from cms.models import CoursePage, VideoPage
    from shop.models import Grant

    course = CoursePage.objects.live().filter(locale__language_code="de", price__isnull=False).first()
    if course is None:
        raise SystemExit("No seeded course: run `python -m bench` first.")
    lessons = set(course.lesson_ids())
    lesson = (
        VideoPage.objects.live()
        .filter(pk__in=lessons, locale__language_code="de", price__gt=0)
        .order_by("pk")
        .first()
    )
    asset = _clip_asset()
    # As an editor's choice of video leaves both languages (no revision needed for a benchmark).
    VideoPage.objects.filter(translation_key=lesson.translation_key).update(video=asset)
    users = get_user_model().objects
    shopper, _ = users.get_or_create(email=SHOPPER)
    stranger, _ = users.get_or_create(email=STRANGER)
    Grant.objects.get_or_create(
        user=shopper,
        item_key=course.translation_key,
        defaults={"source": Grant.Source.STAFF, "reason": "bench"},
    )
    return lesson.translation_key, asset, shopper, stranger


def _row(name: str, samples: list[float], floor: list[float], queries: int, status: int) -> dict[str, Any]:
    from bench.shop import _median_ms

    median, floor_median = _median_ms(samples), _median_ms(floor)
    row = {
        "name": name,
        "status": status,
        "median_ms": median,
        "p95_ms": round(statistics.quantiles([s * 1000 for s in samples], n=20)[18], 3),
        "floor_median_ms": floor_median,
        "ratio": round(median / floor_median, 2) if floor_median else None,
        "queries": queries,
    }
    if name in BUDGETS:
        row["query_budget"] = BUDGETS[name]
    return row


def main(rounds: int, warmup: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.floor import floor_register
    from bench.shop import _chart, _timed

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the refusal is a 403
    video_key, asset, shopper, stranger = _setup()
    viewer, refused, player = Client(), Client(), Client()
    viewer.force_login(shopper)
    refused.force_login(stranger)

    def local(url: str) -> str:
        return url[len(settings.BACKEND_URL) :]

    started = viewer.post(f"/api/v1/videos/{video_key}/playback/")
    assert started.status_code == 200, started.content
    hls_url = local(started.json()["hls_url"])
    master = player.get(hls_url).content.decode()
    rung_url = local(next(line for line in master.splitlines() if line and not line.startswith("#")))
    rung = player.get(rung_url).content.decode()
    key_url = local(re.search(r'#EXT-X-KEY:.*?URI="([^"]+)"', rung)[1])

    playback = f"/api/v1/videos/{video_key}/playback/"
    steps: dict[str, tuple[Callable[[], Any], Client, Any]] = {
        "playback_authorise": (partial(viewer.post, playback), viewer, None),
        "master_playlist": (partial(player.get, hls_url), player, {"playlist": master}),
        "rung_playlist": (partial(player.get, rung_url), player, {"playlist": rung}),
        "key_player": (partial(player.get, key_url), player, {"key": "0" * 32}),
        "key_session": (partial(viewer.get, key_url), viewer, {"key": "0" * 32}),
        "playback_refused": (partial(refused.post, playback), refused, None),
    }
    rows = []
    for name, (request, client, floor_payload) in steps.items():
        response = request()
        assert response.status_code in (200, 403), (name, response.status_code, response.content[:300])
        body = response.content if floor_payload is None else json.dumps(floor_payload).encode()
        floor_register(name=name, body=body)
        floor = partial(client.get, f"/api/bench-floor/{name}")
        for _ in range(warmup):
            request()
            floor()
        _elapsed, queries, _ = _timed(request)
        samples: dict[str, list[float]] = {"step": [], "floor": []}
        calls = [("step", request), ("floor", floor)]
        gc.collect()
        for number in range(rounds):
            for kind, call in calls if number % 2 else reversed(calls):
                begun = time.perf_counter()
                answered = call()
                samples[kind].append(time.perf_counter() - begun)
                if kind == "step":
                    assert answered.status_code == response.status_code, (name, answered.status_code)
        rows.append(_row(name, samples["step"], samples["floor"], queries, response.status_code))
        print(f"  {name}: done", flush=True)

    result = {
        "database": connection.vendor,
        "rounds": rounds,
        "clip": f"12 s, 640x360, processed by the pipeline: {', '.join(r['name'] for r in asset.renditions)}",
        "cache": settings.CACHES["default"]["BACKEND"],
        "benchmarks": rows,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": settings.SETTINGS_MODULE,
    }
    stem = "playback" if connection.vendor == "sqlite" else f"playback-{connection.vendor}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    _chart(rows, RESULTS / f"{stem}.svg", connection.vendor, title="Playback")
    for row in rows:
        budget = f"≤ {row['query_budget']}" if "query_budget" in row else ""
        verdict = "" if not budget else ("PASS" if row["queries"] <= row["query_budget"] else "FAIL")
        print(
            f"{row['name']:20} {row['status']} p50 {row['median_ms']:7.2f} ms"
            f"  floor {row['floor_median_ms']:6.2f} ms  {row['ratio']:5.1f}×"
            f"  {row['queries']:2d} queries {budget:4} {verdict}"
        )
    print(f"wrote {RESULTS / f'{stem}.json'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed requests per step and floor")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before timing")
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.warmup)
