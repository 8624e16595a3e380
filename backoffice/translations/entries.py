"""The rows of the translation status table: every German page and translatable snippet a user
may edit whose English is missing or out of date (the rule: :mod:`backoffice.translations.status`),
each with the links that fix it. A fixed number of queries whatever the number of objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Model
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from wagtail.models import DraftStateMixin, Locale, ModelLogEntry, Page, get_page_models
from wagtail.permissions import page_permission_policy

from backoffice.translations.status import (
    ALL,
    MISSING,
    PAGES,
    SNIPPETS,
    SOURCE_LANGUAGE,
    STALE,
    SYNC,
    TARGET_LANGUAGE,
    Entry,
    SourceState,
    kind_of,
    localize_sources,
    status_of,
    translatable_snippet_models,
)


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


def _entry(
    model: type[Model],
    *,
    is_page: bool,
    title: str,
    verdict: tuple[str, str],
    german_changed: datetime | None,
    english_updated: datetime | None,
    translate_url: str,
    update_url: str,
    edit_german_url: str,
) -> Entry:
    """One row for :func:`status_of`'s ``verdict``: the English change date and the update link
    show on stale rows only, the translate link on missing ones (``translate_url`` is empty when
    the user may not translate)."""
    status, reason = verdict
    return Entry(
        kind=kind_of(model),
        kind_label=capfirst(model._meta.verbose_name),
        is_page=is_page,
        title=title,
        status=status,
        reason=reason,
        german_changed=german_changed,
        english_updated=english_updated if status == STALE else None,
        translate_url=translate_url if status == MISSING else "",
        update_url=update_url if status == STALE else "",
        edit_german_url=edit_german_url,
    )


def _german_page_rows(user, german: Locale, kind: str) -> list[tuple]:
    """(id, title, content type, translation key, published, revised) of the German pages
    ``user`` may edit, of ``kind``, in tree order."""
    german_pages = page_permission_policy.instances_user_has_permission_for(user, "change").filter(
        locale=german, depth__gt=1, alias_of__isnull=True
    )
    if kind not in (ALL, PAGES):
        app_label, model_name = kind.split(".")
        german_pages = german_pages.filter(content_type__app_label=app_label, content_type__model=model_name)
    return list(
        german_pages.order_by("path").values_list(
            "id",
            "title",
            "content_type_id",
            "translation_key",
            "last_published_at",
            "latest_revision_created_at",
        )
    )


def _english_pages(english: Locale, keys: list[UUID]) -> dict[UUID, tuple]:
    """``{translation_key: (page id, alias_of id, last published else last revised)}``."""
    return {
        key: (page_id, alias_of_id, published_at or revised_at)
        for page_id, key, alias_of_id, published_at, revised_at in Page.objects.filter(
            locale=english, translation_key__in=keys
        ).values_list(
            "id", "translation_key", "alias_of_id", "last_published_at", "latest_revision_created_at"
        )
    }


def _page_entries(user, german: Locale, english: Locale, kind: str, context: dict[str, Any]) -> list[Entry]:
    sources, english_first = context["sources"], context["english_first"]
    can_translate, back = context["can_translate"], context["back"]
    german_rows = _german_page_rows(user, german, kind)
    english_pages = _english_pages(english, [row[3] for row in german_rows])
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
        edit_english_url = (
            reverse("wagtailadmin_pages:edit", args=[english_page_id]) if english_page_id else ""
        )
        entries.append(
            _entry(
                ContentType.objects.get_for_id(content_type_id).model_class() or Page,
                is_page=True,
                title=title,
                verdict=verdict,
                german_changed=published_at,
                english_updated=english_updated,
                translate_url=reverse("wagtail_localize:submit_page_translation", args=[page_id])
                if can_translate
                else "",
                update_url=_update_url(source, verdict[1], edit_english_url, can_translate, back),
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


def _snippet_models(user, kind: str) -> list[type[Model]]:
    """The translatable snippet models of ``kind`` that ``user`` may change."""
    return [
        model
        for model in translatable_snippet_models()
        if kind in (ALL, SNIPPETS, kind_of(model))
        and user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
    ]


def _model_entries(
    model: type[Model], german: Locale, english: Locale, log_times: dict, context: dict[str, Any]
) -> list[Entry]:
    """The rows of one snippet model: its German objects whose English is missing or stale."""
    sources, can_translate, back = context["sources"], context["can_translate"], context["back"]
    drafts = issubclass(model, DraftStateMixin)
    content_type_id = ContentType.objects.get_for_model(model, for_concrete_model=False).pk

    def changed_at(pk, published_at=None) -> datetime | None:
        return published_at if drafts else log_times.get((content_type_id, str(pk)))

    english_fields = ["translation_key", "pk", *(["last_published_at"] if drafts else [])]
    english_rows = {
        row[0]: (row[1], changed_at(*row[1:]))
        for row in model._default_manager.filter(locale=english).values_list(*english_fields)
    }
    entries = []
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
        edit_url_name = model.snippet_viewset.get_url_name("edit")
        edit_english_url = reverse(edit_url_name, args=[quote(english_pk)]) if english_pk is not None else ""
        entries.append(
            _entry(
                model,
                is_page=False,
                title=str(obj),
                verdict=verdict,
                german_changed=german_changed,
                english_updated=english_updated,
                translate_url=reverse(
                    "wagtail_localize:submit_snippet_translation",
                    args=[model._meta.app_label, model._meta.model_name, quote(obj.pk)],
                )
                if can_translate
                else "",
                update_url=_update_url(source, verdict[1], edit_english_url, can_translate, back),
                edit_german_url=reverse(edit_url_name, args=[quote(obj.pk)]),
            )
        )
    return entries


def _snippet_entries(
    user, german: Locale, english: Locale, kind: str, context: dict[str, Any]
) -> list[Entry]:
    models = _snippet_models(user, kind)
    log_times = _snippet_log_times(models)
    entries = []
    for model in models:
        entries += _model_entries(model, german, english, log_times, context)
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
    sources, english_first = localize_sources(german, english)
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
