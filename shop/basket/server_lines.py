"""Basket lines only the server makes, named by the app that makes them.

Some basket lines are put in by another app's service, never by the shopper: a consultation hold
(``booking``) adds the consultation's product with the hold's id as the ``booking_hold`` option,
and the paid order line carrying that option is what confirms the booking. A client that could
add such a product or such an option itself could claim a booking with a line it made up, so
add-product (``shop.api.basket_add``) refuses both, whatever options a product declares.

The app that makes these lines registers them in its ``AppConfig.ready()``, so the shop never
imports it (the shape of ``accounts.registry``)::

    from shop.basket import server_lines

    server_lines.register(product_class="consultation", options=["booking_hold"])

Filled once per process at start-up and read-only afterwards, like signal receivers.
"""

from __future__ import annotations

from collections.abc import Iterable

_product_classes: set[str] = set()
_options: set[str] = set()


def register(*, product_class: str = "", options: Iterable[str] = ()) -> None:
    """Products of the class with slug ``product_class`` and the options with these codes are put in
    baskets by the server alone. Registering again changes nothing."""
    if product_class:
        _product_classes.add(product_class)
    _options.update(options)


def product_is_server_only(product) -> bool:
    product_class = product.get_product_class()
    return product_class is not None and product_class.slug in _product_classes


def option_is_server_only(code: str) -> bool:
    return code in _options
