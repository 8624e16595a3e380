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

from bench.targets import check_describe, verdict


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
        # Other work on the machine slows a run down: 1, 5 and 15 minute load when it ended.
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def results_write(path: Path, *, results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine, "benchmarks": results}, indent=2) + "\n")


_MET_COLOURS = {True: "#2e7d32", False: "#c62828", None: "#888888"}


Mark = tuple[float, str, bool | None]


def _target_marks(result: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> list[Mark]:
    """Where the result's targets sit on the time axis: (ms, label, met) each."""
    target = result.get("target")
    if not target:
        return []
    marks = []
    checks = target["checks"]
    if "max_ratio" in target:
        limit = result["baseline"]["figure"] * target["max_ratio"]
        marks.append((limit, f"≤{target['max_ratio']:g}× floor", checks["max_ratio"]["met"]))
    rival = by_name.get(target.get("faster_than", ""))
    if rival:
        marks.append((rival["figure"], f"< {rival['name']}", checks["faster_than"]["met"]))
    return marks


def chart_draw(path: Path, *, results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    """Horizontal bars: each endpoint's median above its floor's, the whisker reaching to p95.

    A target is a tick across the endpoint's bar (green met, red missed): the time the ratio
    allows, or the median the endpoint must beat. The verdict and the query count are on the right.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    # Text stays text and ids stay put, so a re-run changes only the figures in the file.
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "phialo-bench"})
    by_name = {result["name"]: result for result in results}
    rows = range(len(results))
    height = 0.3
    figure, axes = plt.subplots(figsize=(9, 1.4 + 1.0 * len(results)))
    right = 1.45 * max(
        max(r["p95"], r["baseline"]["p95"], *(ms for ms, _, _ in _target_marks(r, by_name))) for r in results
    )
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
            text = f"{timing['figure']:.2f} ms"
            if not key:
                text += f"  ({result['ratio']:.1f}× floor"
                if "compared_with" in result:
                    text += f", {result['compared_with']['ratio']:.3g}× {result['compared_with']['name']}"
                text += ")"
            axes.text(timing["p95"], row + offset, f"  {text}", va="center", fontsize=7.5)
    for row, result in zip(rows, results, strict=True):
        top = row - height
        for ms, label, met in _target_marks(result, by_name):
            colour = _MET_COLOURS[met]
            axes.plot([ms, ms], [top - 0.04, row + 0.02], color=colour, linewidth=1.6, linestyle="--")
            axes.text(ms, top - 0.05, label, color=colour, fontsize=6.5, ha="center", va="bottom")
        target = result.get("target")
        colour = _MET_COLOURS[target["met"]] if target else "#888888"
        queries = f"{result['queries']} queries"
        if "queries_one_item" in result:
            queries += f" ({result['queries_one_item']} for one item)"
        if target and "max_queries" in target:
            queries += f", at most {target['max_queries']}"
        right_text = {"ha": "right", "va": "center"}
        axes.text(
            right, row - height / 2, verdict(result), fontsize=8.5, weight="bold", color=colour, **right_text
        )
        axes.text(right, row + height / 2, queries, fontsize=7, color="#444444", **right_text)
    axes.set_yticks(list(rows), [result["name"] for result in results], fontsize=8.5)
    axes.invert_yaxis()
    axes.set_xlabel("median per request, ms (whisker: p95)")
    axes.set_xlim(0, right)
    axes.set_title(
        f"Phialo bench · {machine['database']} · {machine['dataset']['video_pages_en']} EN videos · "
        f"{machine['timestamp'][:10]}",
        fontsize=10,
    )
    handles, _labels = axes.get_legend_handles_labels()
    handles += [
        Line2D([], [], color=_MET_COLOURS[True], linestyle="--", label="target met"),
        Line2D([], [], color=_MET_COLOURS[False], linestyle="--", label="target missed"),
    ]
    axes.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncols=4, fontsize=7.5, frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)


def table_print(results: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    header = (
        "benchmark",
        "status",
        "median",
        "p95",
        "floor",
        "floor p95",
        "ratio",
        "queries",
        "vs",
        "target",
    )
    rows = [
        (
            r["name"],
            str(r["status"]),
            f"{r['figure']:.2f} ms",
            f"{r['p95']:.2f} ms",
            f"{r['baseline']['figure']:.2f} ms",
            f"{r['baseline']['p95']:.2f} ms",
            f"{r['ratio']:.2f}",
            str(r["queries"]) + (f" ({r['queries_one_item']})" if "queries_one_item" in r else ""),
            f"{r['compared_with']['ratio']:.3g}" if "compared_with" in r else "",
            verdict(r),
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
    print(
        "\nratio: median / floor median (the floor's queries are 0). queries: one request; (for one"
        " item). vs: median / the median of the benchmark it compares with."
    )
    dataset = machine["dataset"]
    for r in results:
        lines = []
        if "queries_one_item" in r:
            grows = "flat" if r["queries_one_item"] == r["queries"] else "GROWS WITH ITEMS"
            lines.append(
                f"{r['queries']} queries for a full page, {r['queries_one_item']} for one item ({grows}),"
                f" at {dataset['video_pages_en']} EN video pages"
            )
        if "compared_with" in r:
            other = r["compared_with"]
            lines.append(
                f"{other['ratio']:.3g}× {other['name']} ({r['figure']:.2f} ms vs {other['figure']:.2f} ms)"
            )
        if "target" in r:
            target = r["target"]
            checks = "; ".join(
                check_describe(name, target[name], check) for name, check in target["checks"].items()
            )
            lines.append(f"target {verdict(r)}: {checks}")
        if lines:
            print(f"\n{r['name']}:\n" + "\n".join(f"  {line}" for line in lines))
    print(
        f"\n{machine['cpu']}, {machine['cores']} cores · Python {machine['python']} · Django "
        f"{machine['django']} · {machine['database']} {machine['database_version']} · "
        f"{machine['requests']} requests each after {machine['warmup']} warm-up · load"
        f" {' '.join(str(load) for load in machine['load_average'])}"
    )
