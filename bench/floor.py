"""The floor: a bare Django view answering a benchmark's payload as a ``JsonResponse``.

It runs behind the same middleware as the endpoint and returns the very bytes the endpoint
returned once at start-up, so the gap between the two is what the endpoint's own work costs.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse

# How the endpoints serialise: Django's JsonResponse defaults; DRF's JSONRenderer (compact, UTF-8
# left as it is); the same renderer as Wagtail's API calls it, with an indent of 4.
JSON_STYLES: dict[str, dict[str, Any]] = {
    "django": {},
    "drf": {"separators": (",", ":"), "ensure_ascii": False},
    "drf_indented": {"indent": 4, "separators": (",", ": "), "ensure_ascii": False},
}

_payloads: dict[str, tuple[Any, dict[str, Any]]] = {}


def floor_register(*, name: str, body: bytes) -> None:
    """Serve ``body`` at the floor called ``name``, rebuilt from its parsed payload on every request.

    Raises ``ValueError`` when no known JSON style gives back the same bytes: the comparison would
    not be like for like.
    """
    payload = json.loads(body)
    for params in JSON_STYLES.values():
        if JsonResponse(payload, safe=False, json_dumps_params=params).content == body:
            _payloads[name] = (payload, params)
            return
    raise ValueError(f"{name}: no JSON style reproduces the endpoint's bytes; add one to JSON_STYLES.")


def floor_view(request: HttpRequest, name: str) -> JsonResponse:
    try:
        payload, params = _payloads[name]
    except KeyError:
        raise Http404(name) from None
    return JsonResponse(payload, safe=False, json_dumps_params=params)
