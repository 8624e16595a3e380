"""The demo: seed_demo, the sample year of business the reports show, and the demo clips.

Only the demo, the benchmark and the tests use it; production apps never import it.
"""
