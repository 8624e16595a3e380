from __future__ import annotations

import uuid
import zoneinfo
from functools import cache
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.abstract_models import AbstractUser
from PIL import Image, UnidentifiedImageError

from core.locale import DEFAULT as DEFAULT_LOCALE

DEFAULT_TIME_ZONE = "Europe/Berlin"

AVATAR_MAX_BYTES = 5 * 1024 * 1024
# Larger images are refused before Pillow decodes them (a small file can hold a huge image).
AVATAR_MAX_SIDE = 4096
AVATAR_FORMATS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}
AVATAR_EXTENSIONS = [extension for extensions in AVATAR_FORMATS.values() for extension in extensions]


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time zone name the server's tz database knows (``Europe/Berlin``), spelled exactly."""
    if value not in _time_zone_names():
        raise ValidationError("%(value)s is not a known IANA time zone.", params={"value": value})


def validate_avatar(file: File) -> None:
    """Small enough, and really a JPEG, PNG or WebP picture whatever its name says."""
    if file.size is not None and file.size > AVATAR_MAX_BYTES:
        raise ValidationError(f"The picture may be at most {AVATAR_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ValidationError("Upload a JPEG, PNG or WebP picture.") from error
    finally:
        file.seek(0)
    if image_format not in AVATAR_FORMATS:
        raise ValidationError("Upload a JPEG, PNG or WebP picture.")
    if max(width, height) > AVATAR_MAX_SIDE:
        raise ValidationError(f"The picture may be at most {AVATAR_MAX_SIDE} pixels wide and high.")


def avatar_upload_to(instance: User, filename: str) -> str:
    """A random name: the path says nothing about the person, and a new picture gets a new URL."""
    return f"avatars/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class User(AbstractUser):
    """The one user model for shoppers, staff and consultants.

    Oscar's abstract user: no username, the e-mail address is the login identifier
    (``USERNAME_FIELD = "email"``), unique case-insensitively through Oscar's manager.
    """

    locale = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=DEFAULT_LOCALE,
        help_text="The language of e-mails and of the site when the person is logged in.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="IANA name; consultation times and e-mails are shown in it.",
    )
    avatar = models.ImageField(
        upload_to=avatar_upload_to,
        blank=True,
        validators=[FileExtensionValidator(AVATAR_EXTENSIONS), validate_avatar],
    )
    # Which non-essential e-mails the person wants (accounts.communication), and when each choice
    # was last made: the evidence of consent for news, which is opt-in (German UWG §7).
    email_reminders = models.BooleanField(
        default=True, help_text="Consultation reminders 24 h and 1 h before."
    )
    email_reminders_changed_at = models.DateTimeField(null=True, blank=True)
    email_follow_ups = models.BooleanField(default=True, help_text="The e-mail after a consultation.")
    email_follow_ups_changed_at = models.DateTimeField(null=True, blank=True)
    email_news = models.BooleanField(default=False, help_text="News e-mails (newsletter); opt-in.")
    email_news_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = "user"
        verbose_name_plural = "users"


class NewsEmail(models.Model):
    """A news e-mail (newsletter) the staff write in both languages and send once, in the Wagtail
    admin, to every active account that opted in to news (``accounts.communication``).

    Both languages on one form rather than a translatable snippet: the mail goes out once, to
    German and English readers at the same moment, so both texts must be ready together."""

    subject_de = models.CharField(_("Subject (German)"), max_length=200)
    body_de = models.TextField(
        _("Text (German)"), help_text=_("Plain text; blank lines start a new paragraph.")
    )
    subject_en = models.CharField(_("Subject (English)"), max_length=200)
    body_en = models.TextField(
        _("Text (English)"), help_text=_("Plain text; blank lines start a new paragraph.")
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # Set when staff press "Send"; from then on the mail is (being) delivered and cannot be sent again.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("news e-mail")
        verbose_name_plural = _("news e-mails")
        permissions = [("send_newsemail", _("Can send news e-mails to subscribers"))]

    def __str__(self) -> str:
        return self.subject_de

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_de

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_de


class NewsDelivery(models.Model):
    """One recipient of a news e-mail, inserted (unique) before the mail is handed to the mail
    server, so a retried or repeated send task skips everyone it reached before: at most once."""

    news = models.ForeignKey(NewsEmail, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_deliveries"
    )
    language = models.CharField(max_length=8)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["news", "user"], name="news_delivery_once")]

    def __str__(self) -> str:
        return f"{self.news} → {self.user_id}"
