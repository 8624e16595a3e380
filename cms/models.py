"""The catalogue as Wagtail pages. German is the source locale; English pages are
wagtail-localize translations sharing the German page's ``translation_key``.

The tree: Wagtail's root holds one ``HomePage`` per locale (the German one is the default site's
root page, the English one its translation), so Wagtail's API and routing see both locale trees
as one site. Under each home sits a ``LibraryIndexPage`` holding videos, courses and bundles.
Everything commercial is keyed on ``translation_key``, never on one locale's page id.

Pages are headless: their public URL is the Astro site's (``/de/...``, ``/en/...``), and
previews of drafts are rendered there too (wagtail-headless-preview).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin
from wagtail_localize.fields import SynchronizedField

from cms.blocks import BodyBlock, BundleItemBlock, ChapterBlock, SectionBlock


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Category(TranslatableMixin, models.Model):
    """A subject area (setting, soldering, design, ...), translated like a page.

    The slug is shared by all languages so that a filter value means the same in each.
    """

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    sort_order = models.IntegerField(default=0)

    override_translatable_fields = [SynchronizedField("slug"), SynchronizedField("sort_order")]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="cms_category_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name


def frontend_path(url_path: str, language_code: str) -> str:
    """A page's path on the Astro site: ``/de/bibliothek/ringe/`` for ``/home/bibliothek/ringe/``.

    Every locale tree hangs under its own home page, whose slug gives way to the language code.
    """
    below_home = url_path.strip("/").split("/")[1:]
    return "/" + "/".join([language_code, *below_home]) + "/"


class HeadlessPage(HeadlessPreviewMixin, Page):
    """A page whose public URL, and preview, is on the Astro site."""

    class Meta:
        abstract = True

    def get_url_parts(self, request=None):
        site_id, _root_url, _path = super().get_url_parts(request) or (None, None, None)
        return site_id, settings.FRONTEND_URL, frontend_path(self.url_path, self.locale.language_code)


class HomePage(HeadlessPage):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.LibraryIndexPage"]
    max_count_per_parent = 1


class LibraryIndexPage(HeadlessPage):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.VideoPage", "cms.CoursePage", "cms.BundlePage"]


class CatalogPage(HeadlessPage):
    """What videos, courses and bundles share: a summary, a picture, a price and whether the
    subscription includes it. An empty price means free (bundles always have one)."""

    summary = models.TextField(blank=True, max_length=400)
    description = StreamField(BodyBlock(), blank=True)
    thumbnail = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Gross price in EUR, VAT included. Empty means free.",
    )
    included_in_subscription = models.BooleanField(default=True)

    sales_panels = [
        MultiFieldPanel([FieldPanel("price"), FieldPanel("included_in_subscription")], heading="Sales"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("locale_id"),
        index.FilterField("price"),
        index.FilterField("included_in_subscription"),
    ]
    api_fields = [APIField("summary"), APIField("price"), APIField("included_in_subscription")]
    parent_page_types = ["cms.LibraryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        abstract = True

    @property
    def is_free(self) -> bool:
        return self.price is None or self.price == 0


class VideoPage(CatalogPage):
    """One video lesson."""

    duration_seconds = models.PositiveIntegerField(default=0)
    chapters = StreamField([("chapter", ChapterBlock())], blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.BEGINNER)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos"
    )
    free_preview = models.BooleanField(
        default=False, help_text="Anyone may watch the first minutes without buying."
    )
    video = models.ForeignKey(
        "media_pipeline.VideoAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="pages"
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("thumbnail"),
        FieldPanel("video"),
        MultiFieldPanel(
            [
                FieldPanel("duration_seconds"),
                FieldPanel("level"),
                FieldPanel("category"),
                FieldPanel("free_preview"),
            ],
            heading="Lesson",
        ),
        FieldPanel("description"),
        FieldPanel("chapters"),
        *CatalogPage.sales_panels,
    ]
    search_fields = CatalogPage.search_fields + [
        index.FilterField("level"),
        index.FilterField("category_id"),
        index.FilterField("free_preview"),
    ]
    api_fields = CatalogPage.api_fields + [APIField("duration_seconds"), APIField("level")]


class CoursePage(CatalogPage):
    """Sections of ordered lessons, each lesson a ``VideoPage`` from the library."""

    trailer = models.ForeignKey(
        "media_pipeline.VideoAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.BEGINNER)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    sections = StreamField([("section", SectionBlock())], blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("thumbnail"),
        FieldPanel("trailer"),
        MultiFieldPanel([FieldPanel("level"), FieldPanel("category")], heading="Course"),
        FieldPanel("description"),
        FieldPanel("sections"),
        *CatalogPage.sales_panels,
    ]
    search_fields = CatalogPage.search_fields + [
        index.FilterField("level"),
        index.FilterField("category_id"),
    ]

    def lesson_ids(self) -> list[int]:
        """Page ids of the lessons, in course order (as the editor chose them, any locale)."""
        return [lesson.id for section in self.sections for lesson in section.value["lessons"] if lesson]


class BundlePage(CatalogPage):
    """Chosen videos and courses at one price; the saving is against buying them singly."""

    items = StreamField(BundleItemBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("thumbnail"),
        FieldPanel("description"),
        FieldPanel("items"),
        *CatalogPage.sales_panels,
    ]

    def clean(self) -> None:
        super().clean()
        if self.price is None:
            raise ValidationError({"price": "A bundle needs a price."})

    def item_ids(self) -> list[int]:
        return [block.value.id for block in self.items if block.value]
