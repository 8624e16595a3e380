"""Writes to the catalogue."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale, TranslatableMixin
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource


@transaction.atomic
def object_translate(*, obj: TranslatableMixin, locale: Locale, strings: dict[str, str], user=None):
    """Translate a page or snippet into ``locale`` through wagtail-localize, and publish it.

    ``strings`` maps source text to its translation (titles, slugs, paragraphs, block titles);
    source text without an entry stays as it is. Going through wagtail-localize, rather than
    copying, keeps the translation tied to its source: editors see it in the translation editor
    and are told when the German text changes.
    """
    source, _ = TranslationSource.update_or_create_from_instance(obj)
    translation, _ = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = strings.get(segment.string.data)
        if text:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={"data": text, "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL},
            )
    translation.save_target(user=user, publish=True)
    return obj.get_translation(locale)
