"""Benchmarks of the public endpoints against a bare-Django floor: ``python -m bench``.

Not a test: it measures, writes ``bench/results/latest.json`` and a chart, and fails only when an
endpoint does not answer 200. See ``bench/README.md``.
"""
