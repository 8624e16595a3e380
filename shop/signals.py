"""What the shop tells the rest of the project. ``booking`` (and anyone else) listens; the shop
never imports its listeners. Sent inside the transaction that changed the order: a receiver that
starts outside work (mail, Celery) does it in ``transaction.on_commit``.

- ``checkout_started(order, expires_at)``: an order was placed and its payment may arrive until
  ``expires_at`` (``None``: paid at once); whatever waits for the payment can wait that long.
- ``order_paid(order)``: the order was paid (once per order).
- ``order_cancelled(order)``: the order will not be paid (session expired or payment failed).
- ``order_refunded(order, line_ids, amount, refund_key)``: money went back; ``line_ids`` are the
  order lines whose access ended (all of them for a full refund), ``amount`` what this refund
  returned (``Decimal``), ``refund_key`` a stable id of the refund (one credit note per key).
- ``order_disputed(order, status)``: the shopper's bank disputes the payment (``status`` is Stripe's).
"""

from django.dispatch import Signal

checkout_started = Signal()
order_paid = Signal()
order_cancelled = Signal()
order_refunded = Signal()
order_disputed = Signal()
