"""No token, code or key reaches a log line (issue 16, item 9).

The requests go through the whole stack and the lines are read from the console handler that
``LOGGING`` configures, formatted as it writes them: what an operator (or a log collector) sees.
"""

from __future__ import annotations

import io
import logging
import secrets
import uuid

import pytest
from django.core import signing

from core.logs import REDACTED, RedactSecrets, redact

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What LOGGING's console handler writes, while the test runs."""
    (handler,) = [handler for handler in logging.getLogger().handlers if handler.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def signed(value) -> str:
    return signing.Signer(salt="tests.logs", algorithm="sha256").sign_object(value)


def opaque() -> str:
    return secrets.token_urlsafe(32)


def test_secret_urls_answered_with_an_error_log_without_their_secrets(api_client, console):
    playback_token, feed_secret, unsubscribe_token = signed({"v": 1, "u": 2}), opaque(), signed({"u": 3})
    payment_token, subscription_token = signing.dumps("100042"), signing.dumps({"user": 4})
    query_token, login_code, storage_signature = opaque(), "KQZT-MWRX", opaque()
    urls = [
        f"/api/v1/videos/{uuid.uuid4()}/hls/{playback_token}/master.m3u8",
        f"/api/v1/videos/{uuid.uuid4()}/hls/{playback_token}/720p/index.m3u8",
        f"/booking/feeds/{feed_secret}.ics",
        f"/email/unsubscribe/{unsubscribe_token}x/",
        f"/shop/local-payment/{payment_token}x/",
        f"/shop/local-subscription/{subscription_token}x/",
        f"/api/v1/nothing-here/?token={query_token}&code={login_code}",
        f"/media/private/invoice.pdf?X-Amz-Signature={storage_signature}&signature={storage_signature}",
    ]

    statuses = [api_client.get(url).status_code for url in urls]

    written = console.getvalue()
    assert all(400 <= status < 500 for status in statuses), statuses
    assert written.count("WARNING django.request") == len(urls)
    for secret in (
        playback_token,
        feed_secret,
        unsubscribe_token,
        payment_token,
        subscription_token,
        query_token,
        login_code,
        storage_signature,
    ):
        assert secret not in written
    # What is left still says which route failed.
    assert f"/hls/{REDACTED}/master.m3u8" in written
    assert f"/booking/feeds/{REDACTED}.ics" in written


def test_headers_tokens_and_tracebacks_logged_by_our_code_are_redacted(console):
    bearer, session_token, jwt = opaque(), opaque(), "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"
    logger = logging.getLogger("phialo.anything")

    # The development server's request line (what `make demo` prints for every request).
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /booking/feeds/{bearer}.ics HTTP/1.1", 404, 9)
    logger.warning("Authorization: Bearer %s", bearer)
    logger.warning("headers %s", {"HTTP_X_SESSION_TOKEN": session_token, "X-Session-Token": session_token})
    logger.info("refresh with %s", jwt)
    try:
        raise ValueError(f"cannot open {signed('key')} for code={session_token}")
    except ValueError:
        logger.exception("Failed")

    written = console.getvalue()
    assert written.count("phialo.anything") == 4
    assert f'"GET /booking/feeds/{REDACTED}.ics HTTP/1.1" 404 9' in written
    for secret in (bearer, session_token, jwt, signed("key")):
        assert secret not in written
    assert "ValueError: cannot open" in written


def test_plain_words_and_numbers_survive():
    line = 'exit code: 1, status_code=404 "GET /api/v1/catalog/?page=2 HTTP/1.1" content key of asset 7'
    assert redact(line) == line


def test_every_configured_handler_redacts():
    """A handler added to LOGGING later without the filter would write secrets again."""
    loggers = [logging.getLogger(), *[logging.getLogger(name) for name in logging.root.manager.loggerDict]]
    handlers = {
        handler
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        # Null handlers write nothing (caldav brings its own class of one, not logging's).
        if not type(handler).__module__.startswith("_pytest") and type(handler).__name__ != "NullHandler"
    }
    assert handlers
    unfiltered = [h for h in handlers if not any(isinstance(f, RedactSecrets) for f in h.filters)]
    assert unfiltered == []
