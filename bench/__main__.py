"""``python -m bench [--only NAME] [--requests N] [--videos N --users N --orders N]``.

Prepares the benchmark database (create, migrate, seed), runs the chosen benchmarks and writes
``bench/results/latest.json`` with a chart beside it. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import django

from bench.benchmarks import BENCHMARKS

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _arguments(names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time endpoints against a bare-Django floor; write bench/results/latest.json.",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(names)}",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint and floor")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before timing")
    parser.add_argument("--videos", type=int, default=200, help="seed_demo --videos")
    parser.add_argument("--users", type=int, default=50, help="seed_demo --users")
    parser.add_argument("--orders", type=int, default=200, help="seed_demo --orders")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results JSON; the chart goes beside it")
    arguments = parser.parse_args()
    if arguments.requests < 2 or arguments.warmup < 0:
        parser.error("--requests must be 2 or more and --warmup 0 or more")
    return arguments


def main() -> int:
    started = time.monotonic()
    arguments = _arguments(list(BENCHMARKS))
    # Forced, not defaulted: a DJANGO_SETTINGS_MODULE left in the shell must not point the
    # migrations and the seeding at another database.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    django.setup()

    from bench.database import database_create_if_missing, database_migrate, database_seed, dataset_sizes
    from bench.measure import BenchmarkError, benchmark_run
    from bench.report import chart_draw, machine, results_write, table_print

    stages = {"setup": time.monotonic() - started}
    database_create_if_missing()
    database_migrate()
    stages["migrate"] = time.monotonic() - started - sum(stages.values())
    seeded_with = {"videos": arguments.videos, "users": arguments.users, "orders": arguments.orders}
    database_seed(**seeded_with)
    stages["seed"] = time.monotonic() - started - sum(stages.values())

    results = []
    for name in dict.fromkeys(arguments.only or BENCHMARKS):
        try:
            results.append(
                benchmark_run(BENCHMARKS[name], requests=arguments.requests, warmup=arguments.warmup)
            )
        except BenchmarkError as error:
            print(f"[{name}] failed: {error}", file=sys.stderr)
            return 1

    about = machine(
        dataset=dataset_sizes(),
        seeded_with=seeded_with,
        requests=arguments.requests,
        warmup=arguments.warmup,
    )
    results_write(arguments.output, results=results, machine=about)
    chart = arguments.output.with_suffix(".svg")
    chart_draw(chart, results=results, machine=about)
    stages["benchmarks"] = time.monotonic() - started - sum(stages.values())
    table_print(results, about)
    print(
        f"\nWrote {arguments.output} and {chart.name} in {time.monotonic() - started:.0f} s ("
        + ", ".join(f"{stage} {seconds:.0f} s" for stage, seconds in stages.items())
        + ")."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
