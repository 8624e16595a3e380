"""Writes to the page tree."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)


@transaction.atomic
def page_translate(*, page: Page, locale: Locale, texts: dict[str, str], user=None) -> Page:
    """Translate ``page`` into ``locale`` through wagtail-localize and publish the translation.

    ``texts`` maps a field path (``"title"``, ``"slug"``, ``"summary"``) to its translation.
    Going through wagtail-localize, rather than copying the page, keeps the translation tied to
    its source: editors see it in the translation editor and are told when the German changes.
    Strings left out fall back to the source text.
    """
    source, _ = TranslationSource.update_or_create_from_instance(page)
    translation, _ = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    for segment in segments:
        text = texts.get(segment.context.path)
        if text:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
    translation.save_target(user=user, publish=True)
    return page.get_translation(locale)
