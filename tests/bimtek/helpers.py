"""Shared helpers for the bimtek tests."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sep_portal.bimtek import operations as ops
from sep_portal.core import clock

WIB = clock.WIB
# Thursday 26 November 2026, 09.00–12.00 WIB: two days after the frozen start of every test.
STARTS = datetime(2026, 11, 26, 9, 0, tzinfo=WIB)


def details(**changes: Any) -> ops.SessionDetails:
    values: dict[str, Any] = {
        "topic": "Penggunaan Disposisi Elektronik SEP", "description": "Membuat, meneruskan dan memantau disposisi.",
        "starts_at": STARTS, "ends_at": STARTS + timedelta(hours=3), "mode": "in_person",
        "place": "Ruang Rapat Lt. 3, Gedung Kominfo, Jakarta", "online_url": None, "capacity": 2,
    }
    values.update(changes)
    return ops.SessionDetails(**values)


def make_session(session: Any, agent: Any, **changes: Any) -> Any:
    return ops.create_session(session, agent, details(**changes), now=clock.now())
