"""The benchmarks, by name. Adding one is adding an entry to ``BENCHMARKS``.

Each is a GET of one public endpoint, measured against a floor that answers the same bytes from a
bare view (see :mod:`bench.floor`). The endpoint must answer 200 on the seeded demo data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    name: str
    url: str
    # For a list: the same request limited to one item. Its query count should equal the full
    # page's; more queries for more items means a query per item (N+1).
    one_item_url: str | None = None

    @property
    def floor_url(self) -> str:
        prefix = "/api/bench-floor/" if self.url.startswith("/api/") else "/bench-floor/"
        return f"{prefix}{self.name}"


_VIDEO_LIST = "/api/v2/pages/?type=cms.VideoPage&locale=en&fields=summary,price,level,duration_seconds"

BENCHMARKS: dict[str, Benchmark] = {
    benchmark.name: benchmark
    for benchmark in [
        Benchmark(name="healthz", url="/healthz"),
        Benchmark(
            name="wagtail_pages_list",
            url=f"{_VIDEO_LIST}&limit=20",
            one_item_url=f"{_VIDEO_LIST}&limit=1",
        ),
    ]
}
