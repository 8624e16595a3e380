"""One basket per shopper: what a visitor put in the basket before logging in is in the shopper's
basket after, whichever way they logged in (e-mailed code, social account, password, the test
client). Django's ``user_logged_in`` signal is the one thing every login sends, allauth's included;
connected by ``connect()`` in ``ShopConfig.ready()``.

oscar-api keeps an anonymous visitor's basket id in the session (``basket/operations.py``), and
Django's ``login()`` keeps the session's data when it rotates the key, so the id is still there
when the signal arrives.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest
from oscar.apps.basket.models import Basket

SESSION_BASKET_KEY = settings.OSCAR_BASKET_COOKIE_OPEN  # the session key oscar-api uses


@transaction.atomic
def basket_merge_at_login(*, user, anonymous_basket_id: int | None) -> Basket | None:
    """Merge the anonymous open basket ``anonymous_basket_id`` (and any second open basket the
    shopper has) into the shopper's one open basket; returns it, or ``None`` when there was
    nothing to merge.

    A line already in the shopper's basket is not doubled: these are digital goods, one of each
    is all anyone buys. A basket that has an owner is never taken, whatever id the session holds.
    """
    if not anonymous_basket_id:
        return None
    # Two logins of one shopper at once would each find no basket and keep two: one at a time.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    anonymous = Basket.open.select_for_update().filter(pk=anonymous_basket_id, owner=None).first()
    if anonymous is None:
        return None
    owned = list(Basket.open.select_for_update().filter(owner=user).order_by("pk"))
    if not owned:
        anonymous.owner = user
        anonymous.save(update_fields=["owner"])
        return anonymous
    basket, *others = owned
    for other in (*others, anonymous):
        basket.merge(other, add_quantities=False)
    return basket


def merge_at_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    basket = basket_merge_at_login(user=user, anonymous_basket_id=session.get(SESSION_BASKET_KEY))
    if basket is not None:
        session[SESSION_BASKET_KEY] = basket.pk


def connect() -> None:
    user_logged_in.connect(merge_at_login, dispatch_uid="shop.basket_merge_at_login")
