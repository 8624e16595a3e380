"""Benchmarks of the public endpoints against a bare-Django floor: ``python -m bench``.

Not a test: it measures, checks targets, writes ``bench/results/latest.json`` and a chart, and
fails only when an endpoint does not answer as expected (200, or 304 to a revalidation). See
``bench/README.md``.
"""
