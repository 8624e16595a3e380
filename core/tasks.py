"""Options shared by the apps' Celery tasks (the Celery application itself is ``config.celery_app``).

Apps declare tasks with ``@shared_task(**MAIL_TASK_OPTIONS)``; importing this module loads no
Celery application, so an app's tasks module imports only the kernel.
"""

from typing import Any

from django.db import OperationalError

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
