"""News e-mails: staff write one in both languages and press "Send" in the Wagtail admin; it goes
once to every active shopper who opted in to news, in their language, with a working one-click
unsubscribe link, and never twice, however often the send is pressed or the task runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from freezegun import freeze_time

from accounts.models import NewsDelivery, NewsEmail, User
from accounts.news import news_email_deliver
from accounts.tasks import news_email_send

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/email/unsubscribe/[^/\s]+/")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def readers(db) -> dict[str, User]:
    """Two who opted in (German, English), one who never did, one who opted in and was
    deactivated since."""

    def make(email: str, locale: str, is_active: bool = True, **fields) -> User:
        user = User.objects.create_user(email=email, password=None, locale=locale, **fields)
        if not is_active:
            User.objects.filter(pk=user.pk).update(is_active=False)
        return user

    return {
        "de": make("leserin@example.com", "de", email_news=True),
        "en": make("reader@example.com", "en", email_news=True),
        "silent": make("silent@example.com", "de"),
        "gone": make("gone@example.com", "de", email_news=True, is_active=False),
    }


@pytest.fixture
def news(db) -> NewsEmail:
    return NewsEmail.objects.create(
        subject_de="Neue Kurse im Juni",
        body_de="Hallo!\n\nAb heute gibt es den Grundkurs Fassen.",
        subject_en="New courses in June",
        body_en="Hello!\n\nThe stone setting basics course starts today.",
    )


def send_url(news: NewsEmail) -> str:
    return f"/admin/news-emails/send/{news.pk}/"


def test_staff_send_reaches_each_opted_in_shopper_once_in_their_language(
    staff_client, readers, news, django_capture_on_commit_callbacks
):
    page = staff_client.get(send_url(news))
    assert page.status_code == 200
    # The admin speaks German (LANGUAGE_CODE) unless the user chose English.
    assert "1 Leser auf Deutsch und 1 auf Englisch" in page.content.decode()

    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        sent = staff_client.post(send_url(news))

    assert sent.status_code == 302
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["leserin@example.com", "reader@example.com"]
    german, english = by_address["leserin@example.com"], by_address["reader@example.com"]
    assert german.subject == "Neue Kurse im Juni"
    assert german.body.startswith("Hallo!\n\nAb heute gibt es den Grundkurs Fassen.")
    assert "Newsletter abbestellen:" in german.body
    assert "<p>Ab heute gibt es den Grundkurs Fassen.</p>" in german.alternatives[0][0]
    assert english.subject == "New courses in June"
    assert "The stone setting basics course starts today." in english.body
    assert "Unsubscribe from the newsletter:" in english.body
    for message in (german, english):
        (link,) = LINK.findall(message.body)
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    news.refresh_from_db()
    assert news.queued_at == NOW

    # Pressed again (a second tab, a double click): refused on the page, nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        again = staff_client.post(send_url(news))
    assert again.status_code == 400
    assert "wurde bereits gesendet" in again.content.decode()  # the admin speaks German
    # The task delivered twice (a lost acknowledgement): nobody gets it twice.
    assert news_email_send.delay(news.pk).get() == 0
    assert len(mail.outbox) == 2
    assert NewsDelivery.objects.filter(news=news).count() == 2


class FailingOnceBackend(EmailBackend):
    """The mail server refuses the first mail to ``reader@example.com``, then recovers."""

    failed: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if "reader@example.com" in message.to and "reader" not in self.failed:
                self.failed.add("reader")
                raise OSError("421 try again later")
        return super().send_messages(messages)


def test_a_retry_after_the_mail_server_failed_sends_only_to_those_not_reached(settings, readers, news):
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnceBackend"
    FailingOnceBackend.failed = set()
    NewsEmail.objects.filter(pk=news.pk).update(queued_at=NOW)

    with pytest.raises(OSError):
        news_email_deliver(news_id=news.pk)
    assert [message.to for message in mail.outbox] == [["leserin@example.com"]]

    assert news_email_deliver(news_id=news.pk) == 1

    assert sorted(message.to[0] for message in mail.outbox) == ["leserin@example.com", "reader@example.com"]


def test_a_draft_is_never_sent_by_the_task(readers, news):
    assert news_email_deliver(news_id=news.pk) == 0
    assert mail.outbox == []


def test_the_news_link_unsubscribes_in_one_click_and_the_next_news_skips_them(
    staff_client, readers, news, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(send_url(news))
    english = next(message for message in mail.outbox if message.to == ["reader@example.com"])
    (link,) = LINK.findall(english.body)

    answer = Client().post(
        link.removeprefix(settings.BACKEND_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert "You will no longer receive news from Phialo (newsletter)." in answer.content.decode()
    later = NewsEmail.objects.create(subject_de="Juli", body_de="Text", subject_en="July", body_en="Text")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(send_url(later))
    assert [message.to for message in mail.outbox] == [["leserin@example.com"]]


def test_staff_without_the_send_permission_cannot_send(client, second_factor_passed, readers, news):
    editor = User.objects.create_user(email="editor@phialo.example", password="pw-for-tests")
    User.objects.filter(pk=editor.pk).update(is_staff=True)
    editor.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_newsemail")
    )
    client.login(email="editor@phialo.example", password="pw-for-tests")
    second_factor_passed(client, editor)

    refused = client.post(send_url(news))

    assert (refused.status_code, refused.url) == (302, "/admin/")  # Wagtail's "no permission" answer
    listing = client.get("/admin/snippets/accounts/newsemail/")
    assert listing.status_code == 200
    assert send_url(news) not in listing.content.decode()  # no Send button either
    assert mail.outbox == []
    assert NewsEmail.objects.get(pk=news.pk).queued_at is None


def test_the_snippet_list_offers_send_for_drafts(staff_client, news):
    listing = staff_client.get("/admin/snippets/accounts/newsemail/")

    assert listing.status_code == 200
    assert send_url(news) in listing.content.decode()
    assert "Neue Kurse im Juni" in listing.content.decode()
