"""The benchmarks, by name. Adding one is adding an entry to ``BENCHMARKS``.

Each is a GET of one public endpoint, measured against a floor that answers the same bytes from a
bare view (see :mod:`bench.floor`). The endpoint must answer 200 on the seeded demo data (304 to
the revalidation of a ``revalidate`` benchmark).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    """What an endpoint is asked to meet. A criterion left ``None`` is not checked."""

    # Endpoint median / floor median at most this.
    max_ratio: float | None = None
    # Queries of one request at most this; for a list, of the one-item request as well.
    max_queries: int | None = None
    # The name of another benchmark whose median this one's must be below (it runs too).
    faster_than: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in dataclasses.asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Benchmark:
    name: str
    # May hold ``{mid_video}``: the slug of the video in the middle of the seeded catalogue.
    url: str
    # For a list: the same request limited to one item. Its query count should equal the full
    # page's; more queries for more items means a query per item (N+1).
    one_item_url: str | None = None
    # Sent with every request to the endpoint (not to the floor).
    headers: Mapping[str, str] = field(default_factory=dict)
    # Time the revalidation: a first GET takes the response's ETag, the timed ones send it as
    # If-None-Match and must be answered 304. The floor still answers the full payload.
    revalidate: bool = False
    # Replace the catalogue version before each timed request (and query count), so the answer
    # is computed, not taken from the answers the server stores under their ETag.
    cold: bool = False
    # Another benchmark's name: the report gives this median / that median (it runs too).
    compare_with: str | None = None
    target: Target | None = None

    @property
    def floor_url(self) -> str:
        prefix = "/api/bench-floor/" if self.url.startswith("/api/") else "/bench-floor/"
        return f"{prefix}{self.name}"

    @property
    def expected_status(self) -> int:
        return 304 if self.revalidate else 200

    @property
    def depends_on(self) -> list[str]:
        """Benchmarks whose results this one's report needs."""
        others = [self.compare_with, self.target.faster_than if self.target else None]
        return [name for name in dict.fromkeys(others) if name]

    def resolved(self, values: Mapping[str, str]) -> Benchmark:
        """The same benchmark with placeholders such as ``{mid_video}`` filled in."""
        return dataclasses.replace(
            self,
            url=self.url.format_map(values),
            one_item_url=self.one_item_url.format_map(values) if self.one_item_url else None,
        )


_WAGTAIL_VIDEOS = "/api/v2/pages/?type=cms.VideoPage&locale=en&fields=summary,price,level,duration_seconds"
_CATALOG_VIDEOS = "/api/v1/catalog/videos/?locale=en"
_CATALOG_VIDEO = "/api/v1/catalog/videos/{mid_video}/?locale=en"

BENCHMARKS: dict[str, Benchmark] = {
    benchmark.name: benchmark
    for benchmark in [
        Benchmark(name="healthz", url="/healthz"),
        Benchmark(
            name="wagtail_pages_list",
            url=f"{_WAGTAIL_VIDEOS}&limit=20",
            one_item_url=f"{_WAGTAIL_VIDEOS}&limit=1",
        ),
        Benchmark(
            name="wagtail_pages_list_50",
            url=f"{_WAGTAIL_VIDEOS}&limit=50",
            one_item_url=f"{_WAGTAIL_VIDEOS}&limit=1",
        ),
        Benchmark(
            name="catalog_videos_list_cold",
            url=f"{_CATALOG_VIDEOS}&page_size=50",
            one_item_url=f"{_CATALOG_VIDEOS}&page_size=1",
            cold=True,
            compare_with="wagtail_pages_list_50",
            target=Target(max_ratio=3.0, max_queries=6, faster_than="wagtail_pages_list_50"),
        ),
        Benchmark(
            name="catalog_videos_list",
            url=f"{_CATALOG_VIDEOS}&page_size=50",
            compare_with="catalog_videos_list_cold",
            target=Target(max_ratio=3.0),
        ),
        Benchmark(
            name="catalog_videos_list_etag",
            url=f"{_CATALOG_VIDEOS}&page_size=50",
            revalidate=True,
            compare_with="catalog_videos_list",
            target=Target(max_ratio=1.3),
        ),
        Benchmark(
            name="catalog_video_detail_cold", url=_CATALOG_VIDEO, cold=True, target=Target(max_ratio=3.0)
        ),
        Benchmark(
            name="catalog_video_detail",
            url=_CATALOG_VIDEO,
            compare_with="catalog_video_detail_cold",
            target=Target(max_ratio=3.0),
        ),
        Benchmark(
            name="catalog_video_detail_etag",
            url=_CATALOG_VIDEO,
            revalidate=True,
            compare_with="catalog_video_detail",
            target=Target(max_ratio=1.3),
        ),
    ]
}

for _benchmark in BENCHMARKS.values():
    for _other in _benchmark.depends_on:
        if _other not in BENCHMARKS or _other == _benchmark.name:
            raise LookupError(f"{_benchmark.name} refers to {_other!r}, which is not another benchmark")


def with_dependencies(names: list[str]) -> list[str]:
    """``names`` and the benchmarks they compare with, in ``BENCHMARKS`` order."""
    wanted = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(BENCHMARKS[name].depends_on)
    return [name for name in BENCHMARKS if name in wanted]
