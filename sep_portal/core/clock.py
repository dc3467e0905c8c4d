"""The one source of "now" for the whole portal.

All code calls ``clock.now()``; tests and operators move time with ``freeze``/``advance``
(``flask sep sweep --at`` uses ``freeze``). The frozen value is process-wide on purpose, so a
test can move time for a live server thread too.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
UTC = UTC

_lock = threading.Lock()
_frozen: datetime | None = None


def now() -> datetime:
    """Current time, timezone-aware, in UTC."""
    frozen = _frozen
    if frozen is not None:
        return frozen
    return datetime.now(UTC)


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (must be timezone-aware)."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("clock.freeze needs a timezone-aware datetime")
    with _lock:
        _frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (or back) by ``delta`` and return the new time."""
    global _frozen
    with _lock:
        if _frozen is None:
            raise RuntimeError("clock.advance needs a frozen clock")
        _frozen = _frozen + delta
        return _frozen


def unfreeze() -> None:
    global _frozen
    with _lock:
        _frozen = None


def is_frozen() -> bool:
    return _frozen is not None


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO timestamp for the CLI; a value without zone is read as WIB."""
    value = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if "T" not in text else text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=WIB)
    return value.astimezone(UTC)


def to_wib(value: datetime) -> datetime:
    return value.astimezone(WIB)
