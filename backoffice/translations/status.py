"""Translation status: the German pages and snippets whose English translation is missing or out of
date, each with the link that fixes it.

German (``de``) is the source language, English (``en``) the target (see cms.models). Editors
cannot see this in wagtail-localize: its "Translations" report lists the translations that exist,
not what the German text did since.

The rule, the same for pages and for every registered translatable snippet
---------------------------------------------------------------------------
*The German changed* at its last change a translation could follow: for a page (or a snippet with
drafts) its ``last_published_at``, since a sync reads the live content and drafts do not count;
for a snippet without drafts or revisions, its newest admin log entry that changed content
(``wagtail.create`` / ``wagtail.edit`` with ``content_changed``). A change made only in code leaves
no trace and does not count.

* **Missing**: no English object shares the German one's ``translation_key``, or the English page
  is only an alias of the German one (it shows the German text).
* **Out of date**, when the English is a wagtail-localize translation (an enabled ``Translation``
  from the German ``TranslationSource`` into English), if either
  - the German changed after localize last read it (``TranslationSource.last_updated_at``): the
    translation is built from older German text. Fix: localize's "Sync translated pages" view; or
  - localize read the German again but the English was not rebuilt since (a page: not published
    since; a snippet: no ``TranslationLog`` into English since). Fix: the English object's edit
    view, which is localize's translation editor.
* **Out of date**, when the English was made by hand (no enabled translation), if the German
  changed after the English last did (a page: the English ``last_published_at``, or its latest
  revision if never published; a snippet: its newest content-changing log entry).

Republishing the German page unchanged counts as a change: a revision does not say what changed,
and syncing costs the editor one click. Objects whose English is the localize source of the German
(the German is the translation there) are left out.

Cost: a fixed number of queries whatever the number of pages (the German pages the user may edit,
the English pages, the translation sources, per snippet model its German and English rows, the
snippets' log entries). Pages are limited to those the user may edit (Wagtail's page permission
policy), snippets to the models the user may change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Exists, Model, OuterRef, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, TranslatableMixin, get_page_models
from wagtail.snippets.models import get_snippet_models
from wagtail_localize.models import Translation, TranslationLog, TranslationSource

SOURCE_LANGUAGE = "de"
TARGET_LANGUAGE = "en"

MISSING = "missing"
STALE = "stale"
ALL = "all"
STATUS_CHOICES = [(ALL, _("All")), (MISSING, _("Missing")), (STALE, _("Out of date"))]
STATUS_LABELS = dict(STATUS_CHOICES)

PAGES = "pages"
SNIPPETS = "snippets"

# Why an English object is out of date; each reason has its own fix.
SYNC = "sync"  # localize's copy of the German is older than the German
REBUILD = "rebuild"  # localize has the new German, the English was not rebuilt from it
BY_HAND = "by_hand"  # a hand-made English older than the German
REASON_TEXTS = {
    SYNC: _("The German changed since the translation was last synced."),
    REBUILD: _("The German changes are synced but waiting in the translation editor."),
    BY_HAND: _("The German changed after the English was last edited."),
}


def translatable_snippet_models() -> list[type[Model]]:
    """Every registered snippet that is translated like a page (a new one is covered unasked)."""
    models = [model for model in get_snippet_models() if issubclass(model, TranslatableMixin)]
    return sorted(models, key=lambda model: str(model._meta.verbose_name))


def kind_of(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def kind_choices() -> list[tuple[str, str]]:
    """The kind filter: everything, all pages, all snippets, or one page or snippet type."""
    page_types = [
        (kind_of(model), capfirst(model._meta.verbose_name))
        for model in get_page_models()
        if model is not Page
    ]
    snippet_types = [
        (kind_of(model), capfirst(model._meta.verbose_name)) for model in translatable_snippet_models()
    ]
    return [
        (ALL, _("All")),
        (PAGES, _("All pages")),
        *sorted(page_types, key=lambda choice: choice[1]),
        (SNIPPETS, _("All snippets")),
        *snippet_types,
    ]


@dataclass(frozen=True)
class SourceState:
    """What wagtail-localize knows of one German object's English translation."""

    id: int
    synced_at: datetime  # when localize last read the German content
    enabled: bool  # an enabled Translation into English: the English is localize's
    logged_at: datetime | None  # the last time localize wrote the English (TranslationLog)


@dataclass(frozen=True)
class Entry:
    """One row of the status table."""

    kind: str
    kind_label: str
    is_page: bool
    title: str
    status: str
    reason: str
    german_changed: datetime | None
    english_updated: datetime | None
    translate_url: str
    update_url: str
    edit_german_url: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def reason_text(self) -> str:
        return REASON_TEXTS.get(self.reason, "")


def status_of(
    *,
    german_changed: datetime | None,
    english_exists: bool,
    english_updated: datetime | None,
    source: SourceState | None,
) -> tuple[str, str] | None:
    """(status, reason) for one German object, or None when its English is up to date (the rule
    in the module docstring)."""
    if not english_exists:
        return MISSING, ""
    if source is not None and source.enabled:
        if german_changed is not None and german_changed > source.synced_at:
            return STALE, SYNC
        if english_updated is None or english_updated < source.synced_at:
            return STALE, REBUILD
        return None
    if german_changed is not None and (english_updated is None or german_changed > english_updated):
        return STALE, BY_HAND
    return None


def localize_sources(german: Locale, english: Locale) -> tuple[dict[UUID, SourceState], set[UUID]]:
    """The German translation sources by translation key, and the keys whose English is the
    localize source of a German translation (left out of the view). One query."""
    enabled = Translation.objects.filter(source=OuterRef("pk"), enabled=True)
    last_log = (
        TranslationLog.objects.filter(source=OuterRef("pk"), locale=english)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    rows = (
        TranslationSource.objects.filter(locale__in=[german, english])
        .annotate(
            into_english=Exists(enabled.filter(target_locale=english)),
            into_german=Exists(enabled.filter(target_locale=german)),
            logged_at=Subquery(last_log),
        )
        .values_list(
            "id", "object_id", "locale_id", "last_updated_at", "into_english", "into_german", "logged_at"
        )
    )
    sources: dict[UUID, SourceState] = {}
    english_first: set[UUID] = set()
    for source_id, key, locale_id, synced_at, into_english, into_german, logged_at in rows:
        if locale_id == german.pk:
            sources[key] = SourceState(source_id, synced_at, into_english, logged_at)
        elif into_german:
            english_first.add(key)
    return sources, english_first
