"""Options shared by the apps' Celery tasks (the Celery application itself is ``config.celery_app``).

Apps declare tasks with ``@shared_task(**MAIL_TASK_OPTIONS)`` and start them with :func:`enqueue`;
importing this module loads no
Celery application, so an app's tasks module imports only the kernel.
"""

from typing import Any

from django.db import OperationalError, transaction
from django.utils.module_loading import import_string

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


def enqueue(task: str, *args: Any, on_commit: bool = True) -> None:
    """Queue the Celery task at the dotted path ``task`` (``"booking.tasks.caldav_booking_push"``)
    with ``args``; by default once the current transaction commits, so a worker never reads rows
    that were rolled back. The one seam by which services start background work: naming the task
    instead of importing it keeps ``services -> tasks -> services`` from becoming an import circle.
    """

    def send() -> None:
        import_string(task).delay(*args)

    if on_commit:
        transaction.on_commit(send)
    else:
        send()
