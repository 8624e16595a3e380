"""``/healthz``: database, cache, broker (when configured), the public and the private storage.

django-health-check runs the probes (concurrently, each with a time limit); this module only
chooses them and answers in one JSON shape a load balancer and a person can both read:
200 when all pass, 503 naming each failed part.
"""

from __future__ import annotations

import dataclasses
import datetime

import kombu
from django.conf import settings
from django.http import JsonResponse
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from core.storage import PRIVATE


@dataclasses.dataclass
class Broker(HealthCheck):
    """Opens a connection to Celery's broker (Redis, RabbitMQ, ...), whatever its transport."""

    url: str = dataclasses.field(default="", repr=False)  # may hold a password
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def run(self) -> None:
        try:
            with kombu.Connection(self.url, connect_timeout=self.timeout.total_seconds()) as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as exc:  # kombu raises transport-specific errors
            raise ServiceUnavailable(f"Broker unreachable: {type(exc).__name__}") from exc


PARTS = {
    checks.Database: "database",
    checks.Cache: "cache",
    checks.Storage: "storage",
    Broker: "broker",
}


def _part(check: HealthCheck) -> str:
    # Two storage checks: the default (public media) and the private one (sources, invoices).
    if isinstance(check, checks.Storage) and check.alias != "default":
        return f"{check.alias}_storage"
    return PARTS[type(check)]


class HealthzView(HealthCheckView):
    @property
    def checks(self):
        timeout = datetime.timedelta(seconds=settings.HEALTHZ_TIMEOUT_SECONDS)
        chosen = [
            (checks.Database, {}),
            (checks.Cache, {"timeout": timeout}),
            (checks.Storage, {}),
            (checks.Storage, {"alias": PRIVATE}),
        ]
        if settings.CELERY_BROKER_URL:
            chosen.append((Broker, {"url": settings.CELERY_BROKER_URL, "timeout": timeout}))
        return chosen

    async def get(self, request, *args, **kwargs):
        await super().get(request, *args, **kwargs)
        results = {_part(result.check): result for result in self.results}
        failed = sorted(part for part, result in results.items() if result.error)
        body = {
            "status": "unavailable" if failed else "ok",
            "failed": failed,
            "checks": {
                part: {
                    "ok": not result.error,
                    "ms": round(result.time_taken * 1000, 1),
                    **({"error": str(result.error)} if result.error else {}),
                }
                for part, result in sorted(results.items())
            },
        }
        return JsonResponse(body, status=503 if failed else 200)
