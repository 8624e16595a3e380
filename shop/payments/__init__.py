"""Payments: what Stripe says happened to an order, and the one client that talks to Stripe.

- :mod:`.services` — the one writer of an order's payment state (paid, failed, expired, refunds,
  disputes) and of the grants and voucher uses that follow from it.
- :mod:`.stripe_gateway` — every call to Stripe's API.
- :mod:`.webhooks` — the endpoint that stores a verified Stripe event and queues it.
- :mod:`.stripe_events` — a stored event dispatched by type to the services.
- :mod:`.tasks` — processing, requeueing and mirroring stored events.
"""
