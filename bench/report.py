"""What a run leaves behind: the JSON figures, a bar chart beside them, and a table on stdout."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

import django
import wagtail
from django.db import connection


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(*, dataset: dict[str, int], seeded_with: dict[str, int], requests: int, warmup: int) -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "database": connection.vendor,
        "database_version": ".".join(str(part) for part in connection.get_database_version()),
        "dataset": dataset,
        "seeded_with": seeded_with,
        "requests": requests,
        "warmup": warmup,
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def results_write(path: Path, *, results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine, "benchmarks": results}, indent=2) + "\n")


def chart_draw(path: Path, *, results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    """Horizontal bars: each endpoint's median above its floor's, the whisker reaching to p95."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Text stays text and ids stay put, so a re-run changes only the figures in the file.
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "phialo-bench"})
    names = [result["name"] for result in results]
    rows = range(len(results))
    height = 0.38
    figure, axes = plt.subplots(figsize=(8, 1.2 + 1.1 * len(results)))
    for offset, label, colour, key in (
        (-height / 2, "endpoint", "#4c5c96", None),
        (height / 2, "floor (bare JsonResponse)", "#b9c2e0", "baseline"),
    ):
        timings = [r[key] if key else r for r in results]
        axes.barh(
            [row + offset for row in rows],
            [t["figure"] for t in timings],
            height=height,
            color=colour,
            label=label,
            xerr=[[0] * len(results), [t["p95"] - t["figure"] for t in timings]],
            error_kw={"ecolor": "#555555", "capsize": 3, "linewidth": 0.8},
        )
        for row, timing, result in zip(rows, timings, results, strict=True):
            text = f"{timing['figure']:.2f} ms" + ("" if key else f"  ({result['ratio']:.1f}× floor)")
            axes.text(timing["p95"], row + offset, f"  {text}", va="center", fontsize=8)
    axes.set_yticks(list(rows), names)
    axes.invert_yaxis()
    axes.set_xlabel("median per request, ms (whisker: p95)")
    axes.set_xlim(0, max(max(r["p95"], r["baseline"]["p95"]) for r in results) * 1.4)
    axes.set_title(
        f"Phialo bench · {machine['database']} · {machine['dataset']['video_pages_en']} EN videos · "
        f"{machine['timestamp'][:10]}",
        fontsize=10,
    )
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)


def table_print(results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    header = ("benchmark", "median", "p95", "floor", "floor p95", "ratio", "queries", "floor q.")
    rows = [
        (
            r["name"],
            f"{r['figure']:.2f} ms",
            f"{r['p95']:.2f} ms",
            f"{r['baseline']['figure']:.2f} ms",
            f"{r['baseline']['p95']:.2f} ms",
            f"{r['ratio']:.2f}",
            str(r["queries"]),
            str(r["baseline_queries"]),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    dataset = machine["dataset"]
    for r in results:
        if "queries_one_item" in r:
            verdict = "flat" if r["queries_one_item"] == r["queries"] else "GROWS WITH ITEMS"
            print(
                f"\n{r['name']}: {r['queries']} queries for a full page, {r['queries_one_item']} for one item"
                f" ({verdict}), at {dataset['video_pages_en']} EN video pages."
            )
    print(
        f"\n{machine['cpu']}, {machine['cores']} cores · Python {machine['python']} · Django "
        f"{machine['django']} · {machine['database']} {machine['database_version']} · "
        f"{machine['requests']} requests each after {machine['warmup']} warm-up"
    )
