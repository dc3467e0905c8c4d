"""What the benchmarks share: timing a page through the test client, with its query count."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def page_timer(client: Any, engine: Any, *, width: int = 50) -> Callable[..., bytes]:
    """A function ``timed(label, url, repeat=5)`` that requests ``url`` once to warm up, once to
    count its statements (it must answer 200), then ``repeat`` times, prints the mean time and the
    number of queries, and returns the page's bytes."""
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def timed(label: str, url: str, repeat: int = 5) -> bytes:
        client.get(url)  # warm
        statements.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        queries = len(statements)
        started = time.perf_counter()
        for _ in range(repeat):
            client.get(url)
        print(f"{label:<{width}} {(time.perf_counter() - started) / repeat * 1000:8.1f} ms  {queries:3d} queries")
        return response.get_data()

    return timed
