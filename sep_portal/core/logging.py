"""Logging that never carries personal data: e-mail addresses, NIPs and link tokens are masked
in every record, whoever logs it (our code, Werkzeug's or gunicorn's access log)."""
from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"(?<!\d)\d{18}(?!\d)"), "[nip]"),
    # Tokens in link paths: /verifikasi/<token>, /kata-sandi/atur/<token>, /aktivasi/<token>,
    # /tiket/publik/konfirmasi/<token>, a public ticket's own link /tiket/publik/<id>/<token>, and a
    # public misuse report's status link /lapor/status/<token>
    (re.compile(r"(/(?:verifikasi|atur|aktivasi|token|konfirmasi|status)/)[A-Za-z0-9_\-]{16,}"), r"\1[token]"),
    (re.compile(r"(/tiket/publik/\d+/)[A-Za-z0-9_\-]{16,}"), r"\1[token]"),
    # Database errors quote the offending values: Key (nip)=(...), Key (email)=(...)
    (re.compile(r"(Key \([^)]*\)=\()[^)]*\)"), r"\1[redacted])"),
    (re.compile(r"([?&](?:token|code|kode)=)[^&\s\"]+"), r"\1[token]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:  # tracebacks quote SQL parameters and constraint details
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Attach the filter to the loggers and handlers that exist, and to every handler added
    to the root logger later."""
    for name in ("", "werkzeug", "gunicorn.access", "gunicorn.error", "sep_portal", "flask.app"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
