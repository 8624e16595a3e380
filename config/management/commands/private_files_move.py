"""``python manage.py private_files_move``: move video sources, upload chunks and invoices that an
older version wrote to the public media storage into the private one (``core.storage``).

Run once after upgrading, with the workers stopped (a run reading a source while it moves would
fail and be retried). Running it again moves nothing twice.
"""

from django.core.management.base import BaseCommand

from core.storage import private_files_move
from media_pipeline.uploads.upload import CHUNKS_DIR

# Directories of the default storage that held only private files: the upload chunks.
DIRECTORIES = [CHUNKS_DIR]


class Command(BaseCommand):
    help = "Move sources, upload chunks and invoices from the public media storage to the private one."

    def handle(self, *args, **options):
        moved = private_files_move(directories=DIRECTORIES)
        for name in moved:
            self.stdout.write(f"moved {name}")
        self.stdout.write(self.style.SUCCESS(f"{len(moved)} file(s) moved to the private storage."))
