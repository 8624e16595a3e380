"""The accounts app's Celery tasks: a login or account e-mail rendered in the request, and a
queued news e-mail's delivery. Each calls into ``accounts`` and owns its retries."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from accounts.news import news_email_deliver
from core.tasks import MAIL_TASK_OPTIONS


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(message: dict) -> None:
    """Send an e-mail rendered in the request (see accounts.adapters.DeferredEmail).

    The message is complete, so running twice after a crash sends it twice at worst: for a login
    code, better than never."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message["headers"],
    )
    for content, mimetype in message["alternatives"]:
        email.attach_alternative(content, mimetype)
    email.send()


@shared_task(**MAIL_TASK_OPTIONS)
def news_email_send(self, news_id: int) -> int:
    """Deliver a queued news e-mail to everyone it has not reached yet."""
    return news_email_deliver(news_id=news_id)
