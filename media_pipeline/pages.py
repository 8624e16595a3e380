"""Which pages show an asset, and pointing a page (with its translations) at one.

The pipeline does not import the catalogue (imports point ``cms`` → ``media_pipeline``): the
page model is whatever declares the ``pages`` reverse relation on ``VideoAsset``
(``cms.VideoPage.video``). A German page and its English translation share one asset; in
wagtail-localize ``video`` is a synchronized field, so a later "sync translations" copies the
German page's asset again: attaching to every translation at once agrees with that and makes
the English page right without waiting for a sync.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from wagtail.models import Locale, Page

from media_pipeline.models import VideoAsset


def video_page_model() -> type[Page]:
    return VideoAsset._meta.get_field("pages").related_model


def video_page_find(reference: str) -> Page | None:
    """A video page by id or slug; for a slug the page in the default (German) locale wins,
    since translations may share its slug."""
    model = video_page_model()
    if str(reference).isdigit():
        return model.objects.filter(pk=int(reference)).first()
    pages = list(model.objects.filter(slug=reference).select_related("locale"))
    default = Locale.get_default()
    return next((page for page in pages if page.locale_id == default.pk), pages[0] if pages else None)


@transaction.atomic
def asset_attach(*, asset: VideoAsset, page: Model, user=None) -> list[Page]:
    """Point ``page`` and its translations at ``asset``, as an editor would: a new revision,
    published where the page was live without pending changes. A page with an unpublished
    draft keeps it as a draft (with the asset in it), and its live version points at the asset
    at once. Returns the pages changed (none when all already showed the asset)."""
    changed = []
    for translation in page.get_translations(inclusive=True).specific().order_by("pk"):
        if translation.video_id == asset.pk:
            continue
        had_draft = translation.has_unpublished_changes
        edited = translation.get_latest_revision_as_object() if had_draft else translation
        edited.video = asset
        revision = edited.save_revision(user=user, log_action=True)
        if translation.live and not had_draft:
            revision.publish(user=user)
        else:
            type(translation).objects.filter(pk=translation.pk).update(video=asset)
        changed.append(translation)
    return changed
