"""Subscriptions: Stripe owns them, dj-stripe mirrors them, the shop reads the mirror.

- :mod:`.state` — what a mirrored subscription means now (access, until when, what to do next);
  pure functions over a few of Stripe's fields, read in one query.
- :mod:`.plans` — the monthly and yearly plans (names per language here, prices in Stripe).
- :mod:`.services` — the shopper's one Stripe customer, subscribing through Stripe Checkout, the
  customer portal, and the one writer of the mirror (:func:`.services.subscription_sync`).
- :mod:`.reconcile` — the daily comparison with Stripe that heals a lost webhook.
- :mod:`.notices` — the e-mails (started, payment failed, cancelled, ending soon), each once.
- :mod:`.local` — the demo without Stripe: the same mirror rows, as Stripe would make them;
  :mod:`.local_page` — the local pages that stand in for Stripe Checkout and the portal.
- :mod:`.tasks` — the daily reconciliation, the ending-soon notices, sending a notice.

Access to included videos is one more rule in ``shop.access.selectors`` (``subscription_rule``).
"""
