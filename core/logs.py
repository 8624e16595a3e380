"""No secret in any log line.

Many of our URLs are bearer secrets themselves: a playback token in ``/hls/<token>/``, the
unsubscribe link ``/email/unsubscribe/<token>/``, a consultant's feed ``/booking/feeds/<secret>.ics``,
the local payment pages, upload tokens, ``?code=`` in a login-code link, signed storage URLs.
Django logs the path of every 4xx and 5xx (``django.request``), the development server every
request line (``django.server``), and anyone's ``logger.info("... %s", url)`` may add more. Logs
travel further than the database (collectors, support tickets), so a token in a log line is a
token handed out.

:class:`RedactSecrets` is installed on every handler in ``LOGGING`` and rewrites each record
before it is formatted: the rendered message, the formatted traceback and the stack. What it
removes is listed once, below; a new secret-bearing URL belongs in ``SECRET_PATH_SEGMENTS``.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Path segments that follow these words are secrets (see config/urls.py and the apps' urls).
SECRET_PATH_SEGMENTS = (
    "hls",  # /api/v1/videos/<id>/hls/<playback token>/...
    "unsubscribe",  # /email/unsubscribe/<token>/
    "feeds",  # /booking/feeds/<secret>.ics
    "local-payment",  # /shop/local-payment/<token>/
    "local-subscription",  # /shop/local-subscription/<token>/
    "uploads",  # /admin/media/uploads/<token>/...
    "verify-email",  # the site's /account/verify-email/<key>
    "reset",  # the site's /account/password/reset/<key>
)
_SEGMENT_NAMES = "|".join(map(re.escape, SECRET_PATH_SEGMENTS))
_PATH = re.compile(rf"(/(?:{_SEGMENT_NAMES})/)[^/\s?#\"'<>]+?(?=\.ics\b|[/\s?#\"'<>]|$)", re.IGNORECASE)
# ``name=value`` and ``name: value`` for names that carry secrets: query parameters (``?token=``,
# ``&code=``, ``X-Amz-Signature=``), headers (``Authorization: Bearer ...``, ``X-Session-Token``,
# ``HTTP_AUTHORIZATION``), cookies and dict reprs (``'refresh_token': '...'``). A name may be the
# end of a longer one (``login_code``, ``api_key``); ``status_code`` is not a secret.
_NAMED = re.compile(
    r"(?<![A-Za-z0-9])((?:[A-Za-z0-9]+[_-])*?(?<!status_)"
    r"(?:token|key|code|signature|sig|secret|password|passwd|authorization|credential|sessionid|csrftoken)"
    r"[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?)"
    # ... but not a number of one to three digits: an exit code is no secret.
    r"(?!-?\d{1,3}(?![A-Za-z0-9_\-]))"
    r"[^\s\"'&,;)\]}>]+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
# Wherever they appear: JSON Web Tokens (the app client's access and refresh tokens), and values
# signed with Django's signing (playback, unsubscribe, local payment and upload tokens):
# ``<payload>:<signature>`` or ``<payload>:<timestamp>:<signature>``, a 43-character SHA-256 one.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SIGNED = re.compile(r"[A-Za-z0-9_.\-]+(?::[A-Za-z0-9_\-]+)*:[A-Za-z0-9_\-]{43}(?![A-Za-z0-9_\-])")


def redact(text: str) -> str:
    """``text`` with every secret this module knows of replaced by ``[redacted]``."""
    text = _JWT.sub(REDACTED, text)
    text = _SIGNED.sub(REDACTED, text)
    text = _PATH.sub(rf"\g<1>{REDACTED}", text)
    text = _NAMED.sub(rf"\g<1>{REDACTED}", text)
    return _BEARER.sub(rf"\g<1>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """A handler filter: the record leaves with its secrets replaced (it is never dropped)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as written, still redacted
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_every_handler() -> None:
    """Put the filter on handlers that libraries add themselves after ``LOGGING`` was applied
    (django-haystack adds one in its ``ready()``): no log line leaves unredacted."""
    for logger in [logging.getLogger(), *logging.root.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", ()):
            if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
                handler.addFilter(RedactSecrets())
