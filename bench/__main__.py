"""``python -m bench [--only NAME] [--requests N] [--videos N --users N --orders N] [--fresh]``.

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

from bench.benchmarks import BENCHMARKS, with_dependencies

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
    parser.add_argument("--videos", type=int, default=1000, help="seed_demo --videos (each in DE and EN)")
    parser.add_argument("--users", type=int, default=50, help="seed_demo --users")
    parser.add_argument("--orders", type=int, default=200, help="seed_demo --orders")
    parser.add_argument(
        "--output",
        type=Path,
        help="results JSON, the chart beside it (default: bench/results/latest.json on SQLite,"
        " latest-postgres.json on PostgreSQL)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from an empty database: delete the SQLite file or drop the PostgreSQL database",
    )
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

    from django.db import connection

    from bench.database import (
        database_create_if_missing,
        database_drop,
        database_migrate,
        database_seed,
        dataset_sizes,
    )
    from bench.measure import BenchmarkError, benchmark_run
    from bench.report import chart_draw, machine, results_write, table_print
    from bench.targets import results_judge, verdict

    if arguments.output is None:
        postgres = connection.vendor == "postgresql"
        arguments.output = RESULTS.with_name("latest-postgres.json") if postgres else RESULTS
    stages = {"setup": time.monotonic() - started}
    if arguments.fresh:
        database_drop()
    database_create_if_missing()
    database_migrate()
    stages["migrate"] = time.monotonic() - started - sum(stages.values())
    seeded_with = {"videos": arguments.videos, "users": arguments.users, "orders": arguments.orders}
    database_seed(**seeded_with)
    stages["seed"] = time.monotonic() - started - sum(stages.values())

    dataset = dataset_sizes()
    if dataset["video_pages_en_without_thumbnail"] or dataset["video_pages_en_without_category"]:
        print(
            "Warning: some video pages have no thumbnail or category (seeded before the catalogue"
            " models?); their lists cost less than real ones. Run with --fresh to reseed.",
            file=sys.stderr,
        )
    # Placeholders in benchmark URLs: the video in the middle of the catalogue (slugs are
    # video-1 … video-N).
    url_values = {"mid_video": f"video-{max(1, (dataset['video_pages_en'] + 1) // 2)}"}
    names = with_dependencies(arguments.only or list(BENCHMARKS))
    if arguments.only and len(names) > len(set(arguments.only)):
        added = [name for name in names if name not in arguments.only]
        print(f"Also running {', '.join(added)}: compared with or targeted against.", flush=True)
    results = []
    for name in names:
        try:
            results.append(
                benchmark_run(
                    BENCHMARKS[name].resolved(url_values),
                    requests=arguments.requests,
                    warmup=arguments.warmup,
                )
            )
        except BenchmarkError as error:
            print(f"[{name}] failed: {error}", file=sys.stderr)
            return 1
    results_judge(results, BENCHMARKS)

    about = machine(
        dataset=dataset,
        seeded_with=seeded_with,
        requests=arguments.requests,
        warmup=arguments.warmup,
    )
    results_write(arguments.output, results=results, machine=about)
    chart = arguments.output.with_suffix(".svg")
    chart_draw(chart, results=results, machine=about)
    stages["benchmarks"] = time.monotonic() - started - sum(stages.values())
    table_print(results, about)
    judged = [result for result in results if "target" in result]
    missed = [result["name"] for result in judged if verdict(result) != "PASS"]
    if judged:
        print(
            f"\nTargets: {len(judged) - len(missed)} of {len(judged)} met"
            + (f"; not met: {', '.join(missed)}." if missed else ".")
        )
    print(
        f"\nWrote {arguments.output} and {chart.name} in {time.monotonic() - started:.0f} s ("
        + ", ".join(f"{stage} {seconds:.0f} s" for stage, seconds in stages.items())
        + ")."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
