"""Mounted at ``/api/shop/`` before oscar-api's own URLs: the endpoints we answer ourselves.

- ``basket/add-product/``: refuses what the shopper already owns (409 ``already_owned``) and says
  when a bundle overlaps what they own (``shop.api.basket_add``).
- ``basket/add-voucher/``: explains every refusal of a code (``shop.api.vouchers``).
"""

from shop.api import basket_add, vouchers

urlpatterns = [*basket_add.urlpatterns, *vouchers.urlpatterns]
