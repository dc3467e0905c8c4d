"""Benchmark: import N ASN accounts from a CSV into one tenant, and page through them.

    .venv/bin/python bench/import_accounts.py                 # 100 000 rows on PostgreSQL
    .venv/bin/python bench/import_accounts.py --rows 20000
    BENCH_DATABASE_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/import_accounts.py

It drops and recreates the benchmark database (default ``sep_bench`` on the local PostgreSQL),
migrates it, creates a tenant with its Admin Pengelola, writes a CSV of N valid rows, then runs
the real import job: the check (dry run) and the all-or-nothing import, exactly as the page does
(in this process, like ``SEP_JOBS_INLINE``). It prints the time of each phase, rows per second,
the peak resident memory of the process, and the time of the first and of a deep page of the
account list (keyset pagination). Not a test: the suite never times anything.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nip(i: int) -> str:
    born = date(1970, 1, 1) + timedelta(days=i % 10_000)
    return f"{born:%Y%m%d}{2000 + (i // 10_000) % 20}{1 + (i // 999) % 12:02d}{1 + i % 2}{1 + i % 999:03d}"


def write_csv(path: Path, rows: int) -> None:
    seen: set[str] = set()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("nip,nama,email,unit_kerja,jabatan\n")
        i = 0
        while len(seen) < rows:
            value = nip(i)
            i += 1
            if value in seen:
                continue
            seen.add(value)
            fh.write(f"{value},Pegawai Uji {len(seen)},pegawai{len(seen)}@bench.go.id,Bagian {len(seen) % 40},"
                     f"Analis\n")


def reset_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    with psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username, dbname="postgres",
                         password=parsed.password, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/sep_bench"))
    args = parser.parse_args()

    from alembic import command
    from sqlalchemy import func, select

    from config import TestConfig
    from sep_portal import create_app
    from sep_portal.accounts.models import User
    from sep_portal.cli import alembic_config
    from sep_portal.core import clock, storage
    from sep_portal.core.pagination import encode_cursor
    from sep_portal.extensions import db
    from sep_portal.tenants import importer, queries
    from sep_portal.tenants.models import AccountImport, AdminAssignment, Body

    if args.database_url.startswith("postgresql"):
        reset_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="sep-bench-"))
    app = create_app(TestConfig, {"DATABASE_URL": args.database_url, "UPLOAD_DIR": str(workdir / "uploads"),
                                  "SEP_IMPORT_MAX_ROWS": max(args.rows, 200_000), "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        command.upgrade(alembic_config(args.database_url), "head")
        session = db.session
        body = Body(code="BENCH-1", name="Pemerintah Kabupaten Benchmark", kind="kabupaten", tenant_status="active")
        session.add(body)
        session.flush()
        admin = User(email="admin@bench.go.id", name="Admin Benchmark", nip="198001012005011001", body_id=body.id,
                     status="active", email_verified_at=clock.now())
        admin.add_role("admin_pengelola")
        session.add(admin)
        session.flush()
        session.add(AdminAssignment(body_id=body.id, user_id=admin.id, started_at=clock.now()))
        session.commit()

        source = workdir / "akun.csv"
        started = time.perf_counter()
        write_csv(source, args.rows)
        print(f"CSV of {args.rows} rows: {source.stat().st_size / 1048576:.1f} MB "
              f"(written in {time.perf_counter() - started:.1f} s)")
        print(f"peak RSS before the import: {rss_mb():.0f} MB")

        from werkzeug.datastructures import FileStorage

        with open(source, "rb") as fh:
            stored = storage.save_spreadsheet(session, FileStorage(stream=fh, filename="akun.csv"),
                                              purpose="import:source", created_by=admin, max_bytes=500 * 1048576)
        job = AccountImport(body_id=body.id, created_by_id=admin.id, file_id=stored.id, status="queued_check")
        session.add(job)
        session.commit()
        job_id = job.id

        started = time.perf_counter()
        importer.run_check(job_id)
        check_seconds = time.perf_counter() - started
        session.expire_all()
        job = session.get(AccountImport, job_id)
        print(f"check (dry run): {check_seconds:.1f} s, {job.total_rows} rows, {job.error_rows} with problems; "
              f"peak RSS {rss_mb():.0f} MB")
        assert job.status == "checked", job.message

        job.status = "queued_import"
        session.commit()
        started = time.perf_counter()
        importer.run_import(job_id)
        import_seconds = time.perf_counter() - started
        session.expire_all()
        job = session.get(AccountImport, job_id)
        assert job.status == "imported", job.message
        accounts = session.scalar(select(func.count()).select_from(User).where(User.body_id == body.id))
        print(f"import: {import_seconds:.1f} s for {job.imported_rows} accounts "
              f"({job.imported_rows / import_seconds:,.0f} rows/s); peak RSS {rss_mb():.0f} MB")
        print(f"accounts in the tenant: {accounts}; check + import: {check_seconds + import_seconds:.1f} s")

        # The account list: the first page and one deep in the list cost the same (keyset). After a
        # bulk load PostgreSQL's autovacuum refreshes the statistics; do it now, as it would.
        from sqlalchemy import text

        session.commit()
        session.execute(text("ANALYZE users"))
        timings = []
        page = queries.tenant_accounts(session, body.id, limit=50)
        started = time.perf_counter()
        for _ in range(20):
            queries.tenant_accounts(session, body.id, limit=50)
        timings.append((time.perf_counter() - started) / 20)
        deep = session.execute(select(User.name, User.id).where(User.body_id == body.id)
                               .order_by(User.name, User.id).offset(accounts - 60).limit(1)).one()
        cursor = encode_cursor([deep.name, deep.id])
        started = time.perf_counter()
        for _ in range(20):
            page = queries.tenant_accounts(session, body.id, cursor=cursor, limit=50)
        timings.append((time.perf_counter() - started) / 20)
        assert len(page.rows) == 50
        started = time.perf_counter()
        for _ in range(20):
            queries.tenant_accounts(session, body.id, q="pegawai uji 9999", limit=50)
        timings.append((time.perf_counter() - started) / 20)
        print(f"account list, 50 per page: first page {timings[0] * 1000:.1f} ms, page near the end "
              f"{timings[1] * 1000:.1f} ms, name search {timings[2] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
