from celery import shared_task
from wagtail.images import get_image_model

from cms.images import thumbnail_renditions_ensure


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def thumbnails_make(image_id: int) -> None:
    """Make a published page's thumbnail renditions; safe to run twice (existing ones are kept)."""
    image = get_image_model().objects.filter(pk=image_id).first()
    thumbnail_renditions_ensure(image)
