"""Judging a run: each benchmark against the one it compares with, and against its target."""

from __future__ import annotations

from typing import Any

from bench.benchmarks import Benchmark


def _all_met(checks: dict[str, dict[str, Any]]) -> bool | None:
    """False when a check failed; None when none failed but one could not be made; else True."""
    verdicts = [check["met"] for check in checks.values()]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def results_judge(results: list[dict[str, Any]], benchmarks: dict[str, Benchmark]) -> None:
    """Add ``compared_with`` and ``target`` blocks to the results, in place."""
    by_name = {result["name"]: result for result in results}
    for result in results:
        benchmark = benchmarks[result["name"]]
        other = by_name.get(benchmark.compare_with or "")
        if other:
            result["compared_with"] = {
                "name": other["name"],
                "figure": other["figure"],
                "ratio": round(result["figure"] / other["figure"], 3),
            }
        target = benchmark.target
        if target is None:
            continue
        checks: dict[str, dict[str, Any]] = {}
        if target.max_ratio is not None:
            checks["max_ratio"] = {"value": result["ratio"], "met": result["ratio"] <= target.max_ratio}
        if target.max_queries is not None:
            queries = max(result["queries"], result.get("queries_one_item", 0))
            checks["max_queries"] = {"value": queries, "met": queries <= target.max_queries}
        if target.faster_than is not None:
            rival = by_name.get(target.faster_than)
            checks["faster_than"] = {
                "value": result["figure"],
                "rival_figure": rival["figure"] if rival else None,
                "met": result["figure"] < rival["figure"] if rival else None,
            }
        result["target"] = {**target.as_dict(), "met": _all_met(checks), "checks": checks}


def verdict(result: dict[str, Any]) -> str:
    """PASS, FAIL, ``?`` (a rival did not run) or ``-`` (no target)."""
    if "target" not in result:
        return "-"
    return {True: "PASS", False: "FAIL", None: "?"}[result["target"]["met"]]


def check_describe(name: str, limit: Any, check: dict[str, Any]) -> str:
    """One check in words: ``ratio 2.41 <= 3.0``, ``faster than wagtail_pages_list_50: ...``."""
    mark = {True: "met", False: "MISSED", None: "not checked"}[check["met"]]
    if name == "max_ratio":
        return f"ratio {check['value']:.2f} (at most {limit}) {mark}"
    if name == "max_queries":
        return f"{check['value']} queries (at most {limit}) {mark}"
    rival = check["rival_figure"]
    against = f"{rival:.2f} ms" if rival is not None else "not run"
    return f"median {check['value']:.2f} ms vs {limit} {against} (must be faster) {mark}"
