"""The Celery application. Its settings live in Django settings under ``CELERY_*``."""

import os
from typing import Any

from celery import Celery
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("phialo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The options of every task that sends mail or writes what a mail needs: mail servers fail with
# OSError (smtplib's errors are OSErrors) and a database may go away or time out a lock; anything
# else is a bug a retry would not fix. Acknowledged late, so a worker that dies hands it on.
MAIL_TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (OSError, OperationalError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}
