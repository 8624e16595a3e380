"""The back office's Celery tasks: the engagement roll-up that Beat runs every 15 minutes."""

from celery import shared_task

from backoffice.engagement import engagement_roll_up


@shared_task(acks_late=True)
def roll_up() -> int | None:
    """Beat, every 15 minutes: fold the new watching into the report figures. Safe to run twice
    or side by side (the second waits for nothing and returns None)."""
    return engagement_roll_up()
