"""``python -m bench.auth``: the passwordless login, in-process, beside the framework floor.

Each round takes one seeded shopper through ``POST /_allauth/browser/v1/auth/code/request``
then ``.../auth/code/confirm`` with the code from the mail (sending is a Celery task, run
in-process here as in the demo; rendering happens in the request). The floor is a bare view
answering the confirm's JSON through the same middleware. Writes ``bench/results/auth.json``.
Run ``python -m bench`` first: it migrates and seeds the database (50 shoppers by default).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "auth.json"
REQUEST = "/_allauth/browser/v1/auth/code/request"
CONFIRM = "/_allauth/browser/v1/auth/code/confirm"


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def main(rounds: int = 50) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # each code request answers 401
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from accounts.models import User
    from bench.floor import floor_register

    shoppers = list(User.objects.filter(email__endswith="@shoppers.phialo.localhost").order_by("pk")[:rounds])
    if not shoppers:
        raise SystemExit("No seeded shoppers: run `python -m bench` first.")
    timings: dict[str, list[float]] = {"request": [], "confirm": [], "floor": []}
    queries: dict[str, int] = {}
    # Rate limits would stop a benchmark hammering one address; their cache round trips stay.
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ACCOUNT_RATE_LIMITS={"request_login_code": "100000/m/ip,100000/m/key", "signup": "100000/m/ip"},
    ):
        mail.outbox = []
        for number, shopper in enumerate(shoppers * 2, start=1):
            client = Client()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(REQUEST, {"email": shopper.email}, content_type="application/json")
                timings["request"].append(time.perf_counter() - started)
            assert response.status_code == 401, response.content  # a pending login-by-code flow
            queries["request"] = len(captured)
            code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(CONFIRM, {"code": code}, content_type="application/json")
                timings["confirm"].append(time.perf_counter() - started)
            assert response.status_code == 200, response.content
            queries["confirm"] = len(captured)
            if number == 1:
                floor_register(name="auth_confirm", body=response.content)
            started = time.perf_counter()
            client.get("/bench-floor/auth_confirm")
            timings["floor"].append(time.perf_counter() - started)
            print(f"  auth rounds: {number}/{len(shoppers) * 2}", end="\r", flush=True)
    floor = _median_ms(timings["floor"])
    result = {
        "database": connection.vendor,
        "rounds": len(timings["request"]),
        "mail": "rendered in the request, sent by a Celery task (in-process without a broker)",
        "floor": {"name": "bare JsonResponse of the confirm's answer", "figure": floor, "unit": "ms"},
        "benchmarks": [
            {
                "name": f"code_{step}",
                "figure": _median_ms(timings[step]),
                "unit": "ms",
                "ratio": round(_median_ms(timings[step]) / floor, 2),
                "queries": queries[step],
            }
            for step in ("request", "confirm")
        ],
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": settings.SETTINGS_MODULE,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print()
    for row in result["benchmarks"]:
        ratio = f"{row['ratio']:6.1f}× floor"
        print(f"{row['name']:14} median {row['figure']:8.2f} ms  {ratio}  {row['queries']} queries")
    print(f"floor          median {floor:8.2f} ms · wrote {RESULTS}")


if __name__ == "__main__":
    main()
