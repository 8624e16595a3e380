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
from typing import Any
from uuid import UUID

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Max, Model, OuterRef, Subquery
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import DraftStateMixin, Locale, ModelLogEntry, Page, TranslatableMixin, get_page_models
from wagtail.permissions import page_permission_policy
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


def _sources(german: Locale, english: Locale) -> tuple[dict[UUID, SourceState], set[UUID]]:
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


def _update_url(
    source: SourceState | None, reason: str, edit_english_url: str, can_translate: bool, back: str
) -> str:
    """Where "Update translation" leads: localize's sync view when its copy of the German is old
    (and the user may sync), else the English object's editor (localize's translation editor when
    the English is localize's)."""
    if reason == SYNC and can_translate and source is not None:
        return (
            reverse("wagtail_localize:update_translations", args=[source.id])
            + "?"
            + urlencode({"next": back})
        )
    return edit_english_url


def _page_entries(user, german: Locale, english: Locale, kind: str, context: dict[str, Any]) -> list[Entry]:
    sources, english_first, can_translate, back = (
        context["sources"],
        context["english_first"],
        context["can_translate"],
        context["back"],
    )
    german_pages = page_permission_policy.instances_user_has_permission_for(user, "change").filter(
        locale=german, depth__gt=1, alias_of__isnull=True
    )
    if kind not in (ALL, PAGES):
        app_label, model_name = kind.split(".")
        german_pages = german_pages.filter(content_type__app_label=app_label, content_type__model=model_name)
    german_rows = list(
        german_pages.order_by("path").values_list(
            "id",
            "title",
            "content_type_id",
            "translation_key",
            "last_published_at",
            "latest_revision_created_at",
        )
    )
    english_pages = {
        key: (page_id, alias_of_id, published_at or revised_at)
        for page_id, key, alias_of_id, published_at, revised_at in Page.objects.filter(
            locale=english, translation_key__in=[row[3] for row in german_rows]
        ).values_list(
            "id", "translation_key", "alias_of_id", "last_published_at", "latest_revision_created_at"
        )
    }
    entries = []
    for page_id, title, content_type_id, key, published_at, _revised_at in german_rows:
        if key in english_first:
            continue
        english_page_id, alias_of_id, english_updated = english_pages.get(key, (None, None, None))
        source = sources.get(key)
        verdict = status_of(
            german_changed=published_at,
            english_exists=english_page_id is not None and alias_of_id is None,
            english_updated=english_updated,
            source=source,
        )
        if verdict is None:
            continue
        status, reason = verdict
        model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
        edit_english_url = (
            reverse("wagtailadmin_pages:edit", args=[english_page_id]) if english_page_id else ""
        )
        entries.append(
            Entry(
                kind=kind_of(model),
                kind_label=capfirst(model._meta.verbose_name),
                is_page=True,
                title=title,
                status=status,
                reason=reason,
                german_changed=published_at,
                english_updated=english_updated if status == STALE else None,
                translate_url=reverse("wagtail_localize:submit_page_translation", args=[page_id])
                if status == MISSING and can_translate
                else "",
                update_url=_update_url(source, reason, edit_english_url, can_translate, back)
                if status == STALE
                else "",
                edit_german_url=reverse("wagtailadmin_pages:edit", args=[page_id]),
            )
        )
    return entries


def _snippet_log_times(models: list[type[Model]]) -> dict[tuple[int, str], datetime]:
    """The newest content-changing admin log entry per snippet (those without drafts). One query."""
    undrafted = [model for model in models if not issubclass(model, DraftStateMixin)]
    if not undrafted:
        return {}
    content_types = ContentType.objects.get_for_models(*undrafted, for_concrete_models=False)
    rows = (
        ModelLogEntry.objects.filter(content_type__in=content_types.values(), content_changed=True)
        .values("content_type_id", "object_id")
        .annotate(at=Max("timestamp"))
        .values_list("content_type_id", "object_id", "at")
    )
    return {(content_type_id, object_id): at for content_type_id, object_id, at in rows}


def _snippet_entries(
    user, german: Locale, english: Locale, kind: str, context: dict[str, Any]
) -> list[Entry]:
    sources, can_translate, back = context["sources"], context["can_translate"], context["back"]
    models = [
        model
        for model in translatable_snippet_models()
        if kind in (ALL, SNIPPETS, kind_of(model))
        and user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
    ]
    log_times = _snippet_log_times(models)
    entries = []
    for model in models:
        drafts = issubclass(model, DraftStateMixin)
        content_type_id = ContentType.objects.get_for_model(model, for_concrete_model=False).pk

        def changed_at(pk, published_at=None, content_type_id=content_type_id, drafts=drafts):
            return published_at if drafts else log_times.get((content_type_id, str(pk)))

        english_fields = ["translation_key", "pk", *(["last_published_at"] if drafts else [])]
        english_rows = {
            row[0]: (row[1], changed_at(*row[1:]))
            for row in model._default_manager.filter(locale=english).values_list(*english_fields)
        }
        for obj in model._default_manager.filter(locale=german):
            english_pk, english_changed = english_rows.get(obj.translation_key, (None, None))
            source = sources.get(obj.translation_key)
            localized = source is not None and source.enabled
            english_updated = source.logged_at if localized else english_changed
            german_changed = changed_at(obj.pk, getattr(obj, "last_published_at", None))
            verdict = status_of(
                german_changed=german_changed,
                english_exists=english_pk is not None,
                english_updated=english_updated,
                source=source,
            )
            if verdict is None:
                continue
            status, reason = verdict
            edit_url_name = model.snippet_viewset.get_url_name("edit")
            edit_english_url = (
                reverse(edit_url_name, args=[quote(english_pk)]) if english_pk is not None else ""
            )
            entries.append(
                Entry(
                    kind=kind_of(model),
                    kind_label=capfirst(model._meta.verbose_name),
                    is_page=False,
                    title=str(obj),
                    status=status,
                    reason=reason,
                    german_changed=german_changed,
                    english_updated=english_updated if status == STALE else None,
                    translate_url=reverse(
                        "wagtail_localize:submit_snippet_translation",
                        args=[model._meta.app_label, model._meta.model_name, quote(obj.pk)],
                    )
                    if status == MISSING and can_translate
                    else "",
                    update_url=_update_url(source, reason, edit_english_url, can_translate, back)
                    if status == STALE
                    else "",
                    edit_german_url=reverse(edit_url_name, args=[quote(obj.pk)]),
                )
            )
    return entries


def translation_status(user, *, kind: str = ALL, back: str = "") -> list[Entry]:
    """Every German page and translatable snippet ``user`` may edit whose English is missing or out
    of date (pages first, in tree order, then snippets by type). ``kind`` is a value of
    :func:`kind_choices`; ``back`` is where localize's sync view returns to."""
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    german = locales.get(SOURCE_LANGUAGE)
    if german is None:
        return []
    # Without an English locale nothing is translated yet: every German object is missing.
    english = locales.get(TARGET_LANGUAGE) or Locale(pk=0, language_code=TARGET_LANGUAGE)
    sources, english_first = _sources(german, english)
    context = {
        "sources": sources,
        "english_first": english_first,
        "can_translate": user.has_perm("wagtail_localize.submit_translation"),
        "back": back,
    }
    page_kinds = {kind_of(model) for model in get_page_models()}
    entries = []
    if kind in (ALL, PAGES) or kind in page_kinds:
        entries += _page_entries(user, german, english, kind, context)
    if kind not in page_kinds and kind != PAGES:
        entries += _snippet_entries(user, german, english, kind, context)
    return entries


class TranslationStatusView(WagtailAdminTemplateMixin, TemplateView):
    """The table of missing and out-of-date English translations, filtered by status and kind.
    Any admin user may open it; it lists only what they may edit. Bad filters: 400 and a message."""

    template_name = "backoffice/translations/index.html"
    header_icon = "site"

    def get_page_title(self) -> str:
        return gettext("Translation status")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        status = request.GET.get("status") or ALL
        kind = request.GET.get("kind") or ALL
        kinds = kind_choices()
        context = self.get_context_data(
            status_choices=STATUS_CHOICES, kind_choices=kinds, current_status=status, current_kind=kind
        )
        if status not in STATUS_LABELS:
            context["error"] = gettext("Unknown status “%(value)s”: choose one from the list.") % {
                "value": status
            }
        elif kind not in dict(kinds):
            context["error"] = gettext("Unknown kind “%(value)s”: choose one from the list.") % {
                "value": kind
            }
        if "error" in context:
            return self.render_to_response(context, status=400)
        entries = translation_status(request.user, kind=kind, back=request.get_full_path())
        context["counts"] = {
            MISSING: sum(entry.status == MISSING for entry in entries),
            STALE: sum(entry.status == STALE for entry in entries),
        }
        context["entries"] = [entry for entry in entries if status in (ALL, entry.status)]
        return self.render_to_response(context)


app_name = "backoffice_translations"
urlpatterns = [path("", TranslationStatusView.as_view(), name="index")]
