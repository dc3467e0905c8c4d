"""The reference list of government bodies shipped with the portal (data/bodies.csv).

Loaded by migration 0004 and refreshed by `flask sep bodies load`: rows are matched by code,
new ones added and names/kinds updated; bodies are never deleted (applications refer to them).
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy import table as sa_table
from sqlalchemy.sql import column

from sep_portal.core.db import UTCDateTime

DATA = Path(__file__).resolve().parent / "data" / "bodies.csv"
KINDS = ("kementerian", "lembaga", "provinsi", "kabupaten", "kota", "lainnya")


@dataclass(frozen=True)
class ReferenceBody:
    code: str
    kind: str
    name: str
    parent_code: str | None
    source: str


def read(path: Path = DATA) -> Iterator[ReferenceBody]:
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kind = row["kind"].strip()
            if kind not in KINDS:
                raise ValueError(f"{path}: unknown kind {kind!r} for {row['code']}")
            yield ReferenceBody(code=row["code"].strip(), kind=kind, name=row["name"].strip(),
                                parent_code=(row.get("parent_code") or "").strip() or None,
                                source=(row.get("source") or "").strip()[:200])


# A lightweight table description: usable from a migration without the ORM models.
bodies = sa_table(
    "bodies", column("id"), column("code"), column("name"), column("kind"), column("parent_code"),
    column("source"), column("tenant_status"), column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)


def load(conn: Connection, now: object, path: Path = DATA) -> tuple[int, int]:
    """Insert new bodies and update changed ones. Returns (added, updated)."""
    existing = {code: (name, kind, parent, source) for code, name, kind, parent, source in conn.execute(
        select(bodies.c.code, bodies.c.name, bodies.c.kind, bodies.c.parent_code, bodies.c.source)
        .where(bodies.c.code.is_not(None)))}
    added = updated = 0
    new_rows = []
    for ref in read(path):
        current = existing.get(ref.code)
        if current is None:
            new_rows.append({"code": ref.code, "name": ref.name, "kind": ref.kind, "parent_code": ref.parent_code,
                             "source": ref.source, "tenant_status": "none", "created_at": now, "updated_at": now})
            added += 1
        elif current != (ref.name, ref.kind, ref.parent_code, ref.source):
            conn.execute(bodies.update().where(bodies.c.code == ref.code).values(
                name=ref.name, kind=ref.kind, parent_code=ref.parent_code, source=ref.source, updated_at=now))
            updated += 1
    if new_rows:
        conn.execute(bodies.insert(), new_rows)
    return added, updated
