from celery import shared_task
from django.core.mail import EmailMultiAlternatives

# Registered where the worker looks (autodiscovery imports each app's tasks module).
from accounts.news import news_email_send  # noqa: F401


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
