"""One client address for every rate limit: ``core.http.client_ip``, DRF's throttles and
allauth's limits read ``X-Forwarded-For`` the same way, from the one ``TRUSTED_PROXY_COUNT``."""

from __future__ import annotations

import pytest
from allauth.core.internal.httpkit import get_client_ip as allauth_client_ip
from django.conf import settings as django_settings
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle

from core.http import client_ip

CASES = [
    # (trusted proxies, X-Forwarded-For written/appended, REMOTE_ADDR, the client)
    (0, None, "198.51.100.7", "198.51.100.7"),
    (0, "203.0.113.9", "198.51.100.7", "198.51.100.7"),
    (0, "1.2.3.4, 203.0.113.9", "198.51.100.7", "198.51.100.7"),
    (1, None, "198.51.100.7", "198.51.100.7"),
    (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
    (1, "1.2.3.4, 5.6.7.8, 203.0.113.9", "10.0.0.2", "203.0.113.9"),
    (2, "1.2.3.4, 203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),
]


def test_the_proxy_count_is_one_setting_for_drf_and_allauth():
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.TRUSTED_PROXY_COUNT
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == django_settings.TRUSTED_PROXY_COUNT


def test_by_default_no_forwarded_header_is_believed():
    assert django_settings.TRUSTED_PROXY_COUNT == 0


@pytest.mark.parametrize(("trusted", "forwarded", "remote", "expected"), CASES)
def test_every_rate_limit_sees_the_same_client(settings, trusted, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = trusted
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": trusted}
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    request = RequestFactory().get("/", headers=headers, REMOTE_ADDR=remote)

    assert client_ip(request) == expected
    assert AnonRateThrottle().get_ident(request) == expected
    assert allauth_client_ip(request) == expected
