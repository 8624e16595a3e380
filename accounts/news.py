"""News e-mails (the newsletter): written by staff in the Wagtail admin in German and English
(``accounts.models.NewsEmail``, ``accounts.wagtail_hooks``), sent once to every active account
that opted in to news (``accounts.communication``), each in the reader's language with the
unsubscribe link and the one-click headers.

"Send" (:func:`news_email_queue`) marks the mail queued under its row lock, so pressing it twice
queues it once, and hands it to a Celery task (``accounts.tasks.news_email_send``) after the
commit. The task's work (:func:`news_email_deliver`) inserts a
:class:`~accounts.models.NewsDelivery` row (unique per mail and person) before it hands each mail
to the server, and deletes it again only when the server refused that mail: a retry, a second
delivery of the task or a second worker skips everyone reached, so nobody gets it twice.
Someone who unsubscribes while it goes out is left out from then on.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import communication
from accounts.models import NewsDelivery, NewsEmail, User
from core.errors import ApiError
from core.locale import SUPPORTED, person_language, supported_language
from core.tasks import enqueue

logger = logging.getLogger(__name__)


def reader_language(user: User) -> str:
    return person_language(user)


def news_recipients(news: NewsEmail) -> QuerySet[User]:
    """Who the mail is (still) for: opted in to news, active, with an address, not reached yet."""
    reached = NewsDelivery.objects.filter(news=news, user=OuterRef("pk"))
    return (
        User.objects.filter(**communication.recipients_filter(communication.NEWS))
        .exclude(email="")
        .exclude(Exists(reached))
        .order_by("pk")
    )


def news_recipient_counts(news: NewsEmail) -> dict[str, int]:
    """How many readers per language the mail would reach now (for the confirmation page)."""
    counts = {language: 0 for language in SUPPORTED}
    for row in news_recipients(news).values("locale").annotate(count=Count("pk")):
        language = supported_language(row["locale"])
        counts[language] += row["count"]
    return counts


def news_email_queue(*, news_id: int, by: User | None) -> NewsEmail:
    """Staff pressed "Send": queue the mail once. Refused when it was sent (or queued) before."""
    with transaction.atomic():
        news = NewsEmail.objects.select_for_update().get(pk=news_id)
        if news.queued_at is not None:
            raise ApiError("news_already_sent", "This news e-mail has already been sent.", status=409)
        news.queued_at, news.queued_by = timezone.now(), by
        news.save(update_fields=["queued_at", "queued_by"])
        enqueue("accounts.tasks.news_email_send", news.pk)
    return news


def news_email_deliver(*, news_id: int) -> int:
    """Send the mail to each recipient not reached yet; returns how many were sent in this run."""
    news = NewsEmail.objects.filter(pk=news_id, queued_at__isnull=False).first()
    if news is None:
        return 0
    sent = 0
    with get_connection() as connection:  # one SMTP session for the whole run
        for user in news_recipients(news).iterator(chunk_size=500):
            language = reader_language(user)
            try:
                with transaction.atomic():
                    delivery = NewsDelivery.objects.create(news=news, user=user, language=language)
            except IntegrityError:  # another run reached this reader first
                continue
            try:
                news_message(news, user, language, connection=connection).send()
            except BaseException:
                delivery.delete()  # not sent: the retry must send it
                raise
            sent += 1
    logger.info("News e-mail %s sent to %s readers", news.pk, sent)
    return sent


def news_message(news: NewsEmail, user: User, language: str, connection=None) -> EmailMultiAlternatives:
    context = {
        "language": language,
        "subject": news.subject(language),
        "body": news.body(language).strip(),
        "preference": communication.NEWS,
        "unsubscribe_url": communication.unsubscribe_url(user, communication.NEWS),
    }
    with translation.override(language):
        text = render_to_string(f"account/email/{language}/news_message.txt", context)
        html = render_to_string(f"account/email/{language}/news_message.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=communication.headers(user, communication.NEWS),
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
