"""The buyer's documents and the mails that carry them.

- :mod:`.invoices` — the one writer of invoices and credit notes (gap-free numbers, content).
- :mod:`.invoice_pdf` — their PDF rendering (fonts in ``fonts/``).
- :mod:`.notifications` — the order mails (invoice, credit note, a dispute for staff) and the
  receivers that queue them; :mod:`.tasks` sends them.
"""
