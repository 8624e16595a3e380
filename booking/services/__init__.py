"""Writes to bookings, one module per thing a booking goes through:

- ``holds``: a shopper holds a time and its basket line, drops it, lets it lapse, goes to pay;
- ``confirmations``: the shop's payment confirms the holds of an order;
- ``cancellations``: cancelling (shopper or staff) and every refund;
- ``rescheduling``: a confirmed booking moves to another time;
- ``marks``: the staff mark a consultation completed or a no-show;
- ``consultants``: a consultant's feed address and the "Consultants" group;
- ``slot_taking``: what every write that takes a consultant's time shares (locks, checks, refusals).

Reads are in ``booking.selectors``; background work is started by the task's name
(``core.tasks.enqueue``), so no service imports ``booking.tasks``.
"""
