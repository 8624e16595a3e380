"""The catalogue as Wagtail pages. German is the source locale; English pages are
wagtail-localize translations sharing the German page's ``translation_key``.

The tree: Wagtail's root holds one ``HomePage`` per locale (the German one is the site's root
page, the English one its translation), so Wagtail's API and routing see both locale trees as
one site. Under each home sits a ``LibraryIndexPage`` holding the videos.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class HomePage(Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.LibraryIndexPage"]
    max_count_per_parent = 1


class LibraryIndexPage(Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.VideoPage"]


class VideoPage(Page):
    """One video lesson. Price empty means free; the catalogue issue completes this page."""

    summary = models.TextField(blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.BEGINNER)
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Gross price in EUR, VAT included. Empty means free.",
    )
    included_in_subscription = models.BooleanField(default=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("duration_seconds"),
        FieldPanel("level"),
        FieldPanel("price"),
        FieldPanel("included_in_subscription"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    api_fields = [
        APIField("summary"),
        APIField("duration_seconds"),
        APIField("level"),
        APIField("price"),
        APIField("included_in_subscription"),
    ]
    parent_page_types = ["cms.LibraryIndexPage"]
    subpage_types: list[str] = []
