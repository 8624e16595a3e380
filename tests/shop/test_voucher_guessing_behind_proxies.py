"""Guessing discount codes anonymously is slowed down per client address, and the address is
one our proxies saw: a guesser who writes a fresh ``X-Forwarded-For`` on every try is still one
guesser (issue 16, item 5)."""

from __future__ import annotations

import random

import pytest

pytestmark = pytest.mark.django_db

ADD_VOUCHER = "/api/shop/basket/add-voucher/"


def random_address() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


def guess(client, number: int, forwarded_for: str, *, remote_addr: str = "198.51.100.7") -> int:
    return client.post(
        ADD_VOUCHER,
        {"vouchercode": f"GUESS{number}"},
        content_type="application/json",
        headers={"x-forwarded-for": forwarded_for},
        REMOTE_ADDR=remote_addr,
    ).status_code


def test_a_forged_forwarded_for_header_does_not_escape_the_guess_limit(api_client):
    answers = [guess(api_client, number, random_address()) for number in range(36)]

    assert answers[:30] == [404] * 30
    assert answers[30:] == [429] * 6


def test_behind_one_proxy_the_hop_it_appended_is_the_client(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request reaches us from the proxy; the client's own address is the proxy's hop, the
    # last one. The hops before it are whatever the client wrote.
    answers = [
        guess(api_client, number, f"{random_address()}, 203.0.113.5", remote_addr="10.0.0.2")
        for number in range(31)
    ]
    assert answers[:30] == [404] * 30
    assert answers[30] == 429

    # Another client behind the same proxy has its own budget.
    assert guess(api_client, 99, f"{random_address()}, 203.0.113.77", remote_addr="10.0.0.2") == 404
