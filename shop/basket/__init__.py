"""Baskets: what goes into one, and what happens to it at login.

- :mod:`.services` — putting a product into the caller's basket (the shop's checks, the one
  addition, the answer's offers applied once).
- :mod:`.merge` — a visitor's basket merged into the shopper's at login.
- :mod:`.server_lines` — products and options only the server puts in a basket (booking holds).
- :mod:`.tasks` — Oscar's analytics counters for an addition, off the request.
"""
