"""``python manage.py import_video PATH [--title T] [--page SLUG_OR_ID] [--wait]``

Makes a video asset from a local file, as an upload in the admin would (``asset_create``: the
file is copied into storage and processing is queued), and optionally shows it on a video page
and its translations. ``--wait`` processes in the foreground with progress (or waits for the
worker that took it), fails the command if processing fails, and then attaches nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from media_pipeline.errors import MediaError
from media_pipeline.foreground import asset_process_foreground
from media_pipeline.models import VideoAsset
from media_pipeline.pages import asset_attach, video_page_find
from media_pipeline.services import asset_create
from media_pipeline.tools import ffprobe


class Command(BaseCommand):
    help = "Import a video file as an asset, optionally attach it to a video page, optionally process it now."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the video file")
        parser.add_argument("--title", help="the asset's title (default: the file's name)")
        parser.add_argument(
            "--page",
            help="id or slug of the video page to show it on (its translations show it too)",
        )
        parser.add_argument(
            "--wait",
            "--sync",
            action="store_true",
            dest="wait",
            help="process now and show progress; fail if processing fails",
        )

    def handle(self, *args, path, title, page, wait, **options):
        source = Path(path).expanduser()
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        if source.stat().st_size == 0:
            raise CommandError(f"{source} is empty.")
        try:
            probe = ffprobe(source)
        except MediaError as error:
            raise CommandError(f"{source} is not a video file ffmpeg can read: {error}") from error
        if not probe.get("video_codec"):
            raise CommandError(f"{source} has no video stream ({probe.get('format') or 'unknown format'}).")
        target = None
        if page:
            target = video_page_find(page)
            if target is None:
                raise CommandError(f"No video page with the id or slug {page!r}.")

        title = title or source.stem.replace("_", " ").strip() or "Video"
        self._last = 0.0
        started = time.monotonic()
        if wait:
            asset = asset_process_foreground(
                queue=lambda: asset_create(title=title, source=source), report=self._progress
            )
        else:
            asset = asset_create(title=title, source=source)
        self.stdout.write(
            f"Imported “{asset.title}” (asset {asset.pk}, {probe['width']}x{probe['height']}, "
            f"{probe['duration']:.1f} s, {asset.source_size / 1e6:.1f} MB)."
        )
        asset.refresh_from_db()
        if wait and (asset.status == VideoAsset.Status.FAILED or asset.stage == "failed"):
            raise CommandError(f"Processing failed: {asset.failure_reason}")
        for shown in asset_attach(asset=asset, page=target) if target else []:
            self.stdout.write(f"  shown on page {shown.pk} “{shown.title}” ({shown.locale.language_code})")
        if not wait:
            self.stdout.write(
                f"Processing: {asset.get_status_display().lower()} ({asset.stage or 'queued'})."
            )
            return
        rungs = ", ".join(rendition["name"] for rendition in asset.renditions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Ready in {time.monotonic() - started:.1f} s: {rungs}; {asset.duration:.1f} s."
            )
        )

    def _progress(self, stage: str, percent: int) -> None:
        now = time.monotonic()
        final = stage in ("done", "failed")
        if not final and now - self._last < (0.2 if sys.stdout.isatty() else 2.0):
            return
        self._last = now
        ending = "\n" if final or not sys.stdout.isatty() else "\r"
        self.stdout.write(f"  processing: {stage} {percent} %   ", ending=ending)
        self.stdout.flush()
