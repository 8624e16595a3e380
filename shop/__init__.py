"""The shop: Oscar's side of the portal (products, baskets, vouchers, orders), Stripe and access.

One package per concern, each with its writes in ``services`` and its reads in ``selectors`` (or
a module named for what it writes), and its Celery tasks in ``tasks``:

- ``catalogue/`` — one Oscar product per priced Wagtail page, kept in step with the page.
- ``basket/`` — adding to a basket, the login merge, lines only the server adds.
- ``checkout/`` — checkouts, placing orders, vouchers, the local payment page, orders read back.
- ``payments/`` — an order's payment state, Stripe's client, webhooks and their events.
- ``documents/`` — invoices and credit notes, their PDFs and the order mails.
- ``access/`` — who may watch what, grants, the shopper's library.
- ``subscriptions/`` — Stripe subscriptions, their mirror, plans, notices.

At the top, what Oscar, Django or Wagtail look for there (``models``, ``admin``, ``apps``,
``wagtail_hooks``, the forked ``partner`` app, ``oscar_urls``), what every concern shares
(``signals``, ``statuses``, ``vat``), the page receivers, the personal-data export and erasure,
and ``offers``, whose condition class is stored by its dotted path in the database.
"""
