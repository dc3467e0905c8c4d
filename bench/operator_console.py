"""Benchmark: the Ditjen operator console (/admin/akun) over the national account base
(default 4 500 000 accounts, on PostgreSQL).

    .venv/bin/python bench/operator_console.py                    # 4.5 M accounts
    .venv/bin/python bench/operator_console.py --accounts 1000000
    BENCH_DATABASE_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/operator_console.py

It drops and recreates the benchmark database (default ``sep_bench_console`` on the local
PostgreSQL), migrates it, writes the accounts in the database itself (generate_series: names
from common Indonesian name parts, so a name prefix matches many, distinct NIPs and e-mails,
spread over the reference bodies) and then times, through the real page with a signed-in
superadmin: a search by NIP, by e-mail, by a common and a rare name prefix, by a part of a name
(the slow path the page warns about), the list of a role's holders, a deep keyset page and one
account's page. It prints each time, the number of queries, and the plan of the searches. Not a
test: the suite never times anything.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_accounts import reset_database  # noqa: E402
from bench.timing import page_timer  # noqa: E402

FIRST = ("Siti", "Budi", "Agus", "Dewi", "Sri", "Ahmad", "Muhammad", "Nur", "Rina", "Andi", "Eko", "Dian",
         "Yuli", "Hendra", "Wahyu", "Ratna", "Bambang", "Fitri", "Joko", "Indah")
MIDDLE = ("Aisyah", "Putra", "Rahmawati", "Santoso", "Hidayat", "Lestari", "Saputra", "Wulandari", "Kurniawan",
          "Pratama", "Susanti", "Setiawan", "Handayani", "Nugroho", "Permata")
LAST = ("Harahap", "Siregar", "Nasution", "Simanjuntak", "Wibowo", "Sitompul", "Tanjung", "Lubis", "Pohan",
        "Hutapea", "Situmorang", "Sinaga", "Rangkuti", "Daulay", "Batubara", "Purba", "Ginting", "Tarigan")


def _array(words: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{w}'" for w in words) + "]"


def write_accounts(session, count: int) -> None:  # noqa: ANN001
    """``count`` active ASN accounts in one statement per million, spread over the bodies."""
    from sqlalchemy import text

    bodies = session.execute(text("SELECT array_agg(id) FROM bodies")).scalar() or [None]
    f, m, la = len(FIRST), len(MIDDLE), len(LAST)
    # A NIP that is unique per g (< 6.3 M): birth date, appointment year and month, sex, 001.
    nip = ("to_char(date '1970-01-01' + (g % 10950), 'YYYYMMDD') || (2000 + (g / 10950) % 24)::text"
           " || lpad((1 + (g / 262800) % 12)::text, 2, '0') || (1 + (g / 3153600) % 2)::text || '001'")
    name = (f"({_array(FIRST)})[1 + g % {f}] || ' ' || ({_array(MIDDLE)})[1 + (g / {f}) % {m}]"
            f" || ' ' || ({_array(LAST)})[1 + (g / {f * m}) % {la}]")
    bodies_sql = "ARRAY[" + ",".join(str(b) for b in bodies if b is not None) + "]::int[]" if bodies[0] else "NULL"
    pick_body = f"({bodies_sql})[1 + g % {len(bodies)}]" if bodies[0] else "NULL"
    for start in range(1, count + 1, 1_000_000):
        stop = min(count, start + 999_999)
        session.execute(text(
            "INSERT INTO users (email, name, nip, status, email_verified_at, body_id, is_demo, created_at, updated_at)"
            f" SELECT 'asn' || g || '@bench.go.id', {name}, {nip}, 'active', now(), {pick_body}, false, now(), now()"
            f" FROM generate_series({start}, {stop}) AS g ON CONFLICT DO NOTHING"))  # a factory NIP
        session.commit()
        print(f"  {stop:,} accounts written", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=4_500_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/sep_bench_console"))
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("The console benchmark writes its accounts with PostgreSQL's generate_series.")

    from alembic import command
    from sqlalchemy import select, text

    from config import TestConfig
    from sep_portal import create_app
    from sep_portal.accounts.models import User
    from sep_portal.cli import alembic_config
    from sep_portal.core import clock
    from sep_portal.extensions import db
    from tests.factories import Factories, sign_in

    reset_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="sep-bench-"))
    app = create_app(TestConfig, {"DATABASE_URL": args.database_url, "UPLOAD_DIR": str(workdir / "uploads"),
                                  "MAIL_SUPPRESS_SEND": True, "WTF_CSRF_ENABLED": False})
    clock.freeze(clock.now())  # sign-in moves it one TOTP step
    with app.app_context():
        command.upgrade(alembic_config(args.database_url), "head")
        session = db.session
        factories = Factories(app, session)
        operator = factories.user(roles=("superadmin",), email="operator@bench.go.id")
        for i in range(30):
            factories.user(roles=("verifikator",), email=f"verifikator{i}@bench.go.id")
        session.commit()
        started = time.perf_counter()
        write_accounts(session, args.accounts)
        session.execute(text("ANALYZE"))
        session.commit()
        print(f"{args.accounts:,} accounts written and analysed in {time.perf_counter() - started:.1f} s")
        some = session.scalar(select(User).where(User.email == f"asn{args.accounts // 2}@bench.go.id"))
        some_id, some_nip, some_email = some.id, some.nip, some.email
        rare = session.scalar(select(User.name).where(User.email == "asn7@bench.go.id"))

    client = app.test_client()
    sign_in(client, operator)
    timed = page_timer(client, db.bound(app).engine, width=50)

    timed("search by NIP", f"/admin/akun?q={some_nip}")
    timed("search by e-mail", f"/admin/akun?q={quote(some_email)}")
    first = timed("search a common name prefix ('siti')", "/admin/akun?q=siti")
    timed("search a full name prefix", f"/admin/akun?q={quote(rare)}")
    timed("search a part of a name, anywhere (rare)", f"/admin/akun?q={quote(rare.split()[-1] + 'x')}&anywhere=y",
          repeat=2)
    timed("search a part of a name, anywhere (common)", "/admin/akun?q=putra&anywhere=y")
    timed("list a role's holders (verifikator)", "/admin/akun?role=verifikator")
    after = re.search(r"setelah=([^&\"]+)", first.decode())
    if after:
        timed("search a common name prefix, next page", f"/admin/akun?q=siti&setelah={after.group(1)}")
    timed("one account's page", f"/admin/akun/{some_id}")

    with app.app_context():
        for label, sql in (
                ("plan: name prefix", "SELECT id FROM users WHERE lower(name) COLLATE \"C\" LIKE 'siti%' "
                                        "ORDER BY lower(name) COLLATE \"C\", id LIMIT 26"),
                ("plan: name anywhere", "SELECT id FROM users WHERE lower(name) LIKE '%putrax%' ORDER BY name, id "
                                        "LIMIT 26")):
            plan = db.session.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)).scalars().all()
            print(f"{label}:\n    " + "\n    ".join(plan))


if __name__ == "__main__":
    main()
