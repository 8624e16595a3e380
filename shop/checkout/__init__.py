"""From a basket to a placed, pending order and its payment session.

- :mod:`.services` — starting, reading and cancelling a checkout (Stripe Checkout or, without
  Stripe, the local payment page).
- :mod:`.ordering` — placing the Oscar order (VAT split, order numbers) and giving a basket back.
- :mod:`.vouchers` — vouchers in the basket, confirmed at placing, their uses released and restored.
- :mod:`.selectors` — the shopper's placed orders, with what their answer shows prefetched.
- :mod:`.local_payment` — the demo's page that pays an order as the webhook would.

Offers (``shop.offers``) stay at the top of the app: their condition class is stored by its dotted
path in the database (``ConditionalOffer``'s ``proxy_class``, see migration 0002).
"""
