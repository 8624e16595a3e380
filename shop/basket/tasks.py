"""The basket's Celery task: Oscar's analytics for an addition, off the shopper's request."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def basket_addition_record(product_id: int, user_id: int | None) -> None:
    """Tell Oscar's analytics (product and customer counters, the dashboard's reports) that a
    product went into a basket; sent here rather than in the request the shopper waits for."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from oscar.apps.basket.signals import basket_addition
    from oscar.apps.catalogue.models import Product

    product = Product.objects.filter(pk=product_id).first()
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if product is not None:
        basket_addition.send(sender=None, product=product, user=user or AnonymousUser(), request=None)
