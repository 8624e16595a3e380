"""Timing one benchmark in-process with Django's test client, endpoint and floor alike."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.benchmarks import Benchmark
from bench.floor import floor_register
from bench.progress import Progress
from cms.catalog_cache import catalog_cache_invalidate


class BenchmarkError(Exception):
    """The endpoint or its floor did not answer as the comparison needs."""


def _get(client: Client, url: str, headers: Mapping[str, str] | None = None, status: int = 200):
    response = client.get(url, headers=headers)
    if response.status_code != status:
        raise BenchmarkError(
            f"GET {url} answered {response.status_code}, not {status}: {response.content[:300]!r}"
        )
    return response


def _queries(
    client: Client,
    url: str,
    headers: Mapping[str, str] | None = None,
    status: int = 200,
    *,
    cold: bool = False,
) -> int:
    # Counts the request thread's connection only: work a view hands to other threads is not seen.
    if cold:
        catalog_cache_invalidate()
    with CaptureQueriesContext(connection) as captured:
        _get(client, url, headers, status)
    return len(captured.captured_queries)


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "median": round(statistics.median(ms), 3),
        "p95": round(statistics.quantiles(ms, n=20, method="inclusive")[18], 3),
    }


def benchmark_run(benchmark: Benchmark, *, requests: int, warmup: int) -> dict[str, Any]:
    """Warm both up, then time ``requests`` GETs of each, alternating which goes first."""
    client = Client()
    first = _get(client, benchmark.url, benchmark.headers)
    body = first.content
    try:
        floor_register(name=benchmark.name, body=body)
    except ValueError as error:
        raise BenchmarkError(str(error)) from error
    if _get(client, benchmark.floor_url).content != body:
        raise BenchmarkError(f"{benchmark.name}: the floor's bytes differ from the endpoint's")

    headers = dict(benchmark.headers)
    if benchmark.revalidate:
        if not first.has_header("ETag"):
            raise BenchmarkError(f"{benchmark.name}: GET {benchmark.url} answered no ETag to revalidate")
        headers["If-None-Match"] = first["ETag"]
    status = benchmark.expected_status
    _get(client, benchmark.url, headers, status)

    print(f"[{benchmark.name}] warm-up: {warmup} requests each", flush=True)
    for _ in range(warmup):
        _get(client, benchmark.url, headers, status)
        _get(client, benchmark.floor_url)

    samples: dict[str, list[float]] = {"endpoint": [], "floor": []}
    calls = [
        ("endpoint", benchmark.url, headers, status),
        ("floor", benchmark.floor_url, {}, 200),
    ]
    progress = Progress()
    gc.collect()
    for number in range(1, requests + 1):
        for key, url, request_headers, expected in calls if number % 2 else reversed(calls):
            if benchmark.cold and key == "endpoint":
                catalog_cache_invalidate()
            started = time.perf_counter()
            response = client.get(url, headers=request_headers)
            samples[key].append(time.perf_counter() - started)
            if response.status_code != expected:
                raise BenchmarkError(f"GET {url} answered {response.status_code} during timing")
        progress(f"[{benchmark.name}] timed requests", number, requests)

    endpoint = _summary(samples["endpoint"])
    floor = _summary(samples["floor"])
    result: dict[str, Any] = {
        "name": benchmark.name,
        "url": benchmark.url,
        "status": status,
        "figure": endpoint["median"],
        "unit": "ms",
        "p95": endpoint["p95"],
        "baseline": {"name": f"{benchmark.name}_floor", "figure": floor["median"], "p95": floor["p95"]},
        "ratio": round(endpoint["median"] / floor["median"], 2),
        "payload_bytes": len(body),
        "queries": _queries(client, benchmark.url, headers, status, cold=benchmark.cold),
        "baseline_queries": _queries(client, benchmark.floor_url),
        "requests": requests,
    }
    if benchmark.headers or benchmark.revalidate:
        result["request_headers"] = headers
    if benchmark.one_item_url:
        result["queries_one_item"] = _queries(
            client, benchmark.one_item_url, benchmark.headers, cold=benchmark.cold
        )
    return result
