"""Benchmark: the helpdesk with a year of tickets (default 200 000, 5 % of them open).

    .venv/bin/python bench/helpdesk.py                  # 200 000 tickets on PostgreSQL
    .venv/bin/python bench/helpdesk.py --tickets 50000
    BENCH_DATABASE_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/helpdesk.py

It drops and recreates the benchmark database (default ``sep_bench_helpdesk`` on the local
PostgreSQL), migrates it, writes the tickets (spread over twelve months, most resolved or
closed, with surveys for two in five of them) and then times, through the real pages with a
signed-in agent: the queue (first page, a deep page, a search by number), a ticket, the Ditjen
monitoring page and its XLSX export, and one run of the SLA sweep over every open ticket. It
prints each time and the number of queries of the pages. Not a test: the suite never times
anything.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_accounts import reset_database  # noqa: E402
from bench.timing import page_timer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/sep_bench_helpdesk"))
    args = parser.parse_args()

    from alembic import command
    from sqlalchemy import insert, select, text

    from config import TestConfig
    from sep_portal import create_app
    from sep_portal.cli import alembic_config
    from sep_portal.core import clock
    from sep_portal.extensions import db
    from sep_portal.helpdesk.models import HelpdeskService, Ticket, TicketSurvey
    from sep_portal.helpdesk.operations import sla_notices as sla_sweep
    from tests.factories import Factories, sign_in

    if args.database_url.startswith("postgresql"):
        reset_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="sep-bench-"))
    app = create_app(TestConfig, {"DATABASE_URL": args.database_url, "UPLOAD_DIR": str(workdir / "uploads"),
                                  "MAIL_SUPPRESS_SEND": True, "WTF_CSRF_ENABLED": False})
    rng = random.Random(2026)
    clock.freeze(clock.now())  # sign-in moves it one TOTP step
    with app.app_context():
        command.upgrade(alembic_config(args.database_url), "head")
        session = db.session
        factories = Factories(app, session)
        agent = factories.user(roles=("helpdesk", "superadmin"), email="agen@bench.go.id")
        requesters = [factories.user(email=f"asn{i}@bench.go.id").id for i in range(200)]
        services = list(session.scalars(select(HelpdeskService.id)))
        now = clock.now()
        started = time.perf_counter()
        open_statuses = ("new", "assigned", "in_progress", "waiting")
        batch: list[dict] = []
        for i in range(args.tickets):
            created = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            is_open = i % 20 == 0
            status = rng.choice(open_statuses) if is_open else rng.choice(("resolved", "closed", "closed"))
            impact, urgency = rng.randint(1, 3), rng.randint(1, 3)
            answered = not is_open or status != "new"
            batch.append({
                "type": rng.choice(("incident", "service_request", "question")), "service_id": rng.choice(services),
                "requester_id": rng.choice(requesters), "subject": f"Masalah uji nomor {i}",
                "description": "Uraian masalah untuk benchmark.", "impact": impact, "urgency": urgency,
                "priority": {2: 1, 3: 2, 4: 3}.get(impact + urgency, 4), "status": status,
                "assignee_id": agent.id if status != "new" else None, "created_at": created,
                "first_response_at": created + timedelta(minutes=rng.randint(5, 600)) if answered else None,
                "response_met": rng.random() < 0.9 if answered else None,
                "resolved_at": created + timedelta(hours=rng.randint(1, 60)) if not is_open else None,
                "resolution_met": rng.random() < 0.85 if not is_open else None,
                "closed_at": created + timedelta(days=8) if status == "closed" else None,
                "paused_since": created if status == "waiting" else None, "paused_seconds": 0,
            })
            if len(batch) == 10_000:
                session.execute(insert(Ticket), batch)
                batch.clear()
        if batch:
            session.execute(insert(Ticket), batch)
        session.commit()
        rows = session.execute(select(Ticket.id, Ticket.service_id, Ticket.resolved_at)
                               .where(Ticket.resolved_at.is_not(None))).all()
        surveys = [{"ticket_id": r.id, "service_id": r.service_id, "submitted_at": r.resolved_at + timedelta(hours=2),
                    "score_speed": rng.randint(2, 4), "score_competence": rng.randint(2, 4),
                    "score_clarity": rng.randint(1, 4), "score_courtesy": rng.randint(3, 4), "comment": None}
                   for r in rows if rng.random() < 0.4]
        for chunk in range(0, len(surveys), 10_000):
            session.execute(insert(TicketSurvey), surveys[chunk:chunk + 10_000])
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
        print(f"{args.tickets:,} tickets ({args.tickets // 20:,} open) and {len(surveys):,} surveys written in "
              f"{time.perf_counter() - started:.1f} s")
        some_ticket = session.scalar(select(Ticket.id).where(Ticket.status == "in_progress").limit(1))

    client = app.test_client()
    sign_in(client, agent)
    timed = page_timer(client, db.bound(app).engine, width=46)

    timed("queue, open tickets, first page", "/helpdesk")
    timed("queue, all tickets, page 100", "/helpdesk?status=all&page=100")
    timed("queue, search by number", f"/helpdesk?status=all&q=TKT-{some_ticket:06d}")
    timed("queue, search in subjects", "/helpdesk?status=all&q=nomor 12345")
    timed("ticket page", f"/tiket/{some_ticket}")
    timed("Ditjen monitoring, this month", "/ditjen/helpdesk")
    timed("Ditjen monitoring, XLSX export", "/ditjen/helpdesk/ekspor.xlsx", repeat=2)
    with app.app_context():
        for label in ("SLA sweep, first run (escalates the backlog)", "SLA sweep, next run (nothing new)"):
            started = time.perf_counter()
            notices = sla_sweep(clock.now())
            print(f"{label:<46} {(time.perf_counter() - started) * 1000:8.1f} ms  {notices} notices")


if __name__ == "__main__":
    main()
