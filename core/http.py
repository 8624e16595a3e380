"""Who is asking: the one answer to "what is the client's address?".

Behind our TLS proxy every request comes from the proxy, and the client's own address is in
``X-Forwarded-For``. But the client writes that header too: only the hops our own proxies
appended can be believed. ``TRUSTED_PROXY_COUNT`` says how many there are; it also feeds DRF's
``NUM_PROXIES`` (anonymous throttles) and allauth's ``ALLAUTH_TRUSTED_PROXY_COUNT`` (login-code
limits), so every rate limit and every log line keys on the same address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client, trusting only the last ``TRUSTED_PROXY_COUNT`` hops.

    With ``0`` the header is ignored and the socket's address (``REMOTE_ADDR``) is the client's.
    With ``n`` the n-th address from the right of ``X-Forwarded-For`` is: each of our proxies
    appends the address it saw, so everything left of that was written by the client. Same
    answer as DRF's ``get_ident`` with ``NUM_PROXIES`` and allauth's ``get_client_ip``.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted <= 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(trusted, len(hops))] or remote_addr
