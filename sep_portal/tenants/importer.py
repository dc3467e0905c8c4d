"""Bulk import of ASN accounts from CSV/XLSX, and export of a tenant's accounts.

An import is a job: first a *check* (dry run) that validates every row and writes a per-row
report; then, only if no row has a problem, the *import* itself, all-or-nothing in one
transaction. Files are streamed and rows handled in chunks with bulk inserts, so 100 000 rows
take seconds and memory stays bounded (``bench/import_accounts.py`` measures it). Jobs run in a
background thread started by the page, or in the request when ``SEP_JOBS_INLINE`` (tests), and
are picked up again by the sweep/worker if a server stopped in the middle.
"""
from __future__ import annotations

import csv
import logging
import threading
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

try:
    from psycopg import IntegrityError as PsycopgIntegrityError
except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite-only installs still import
    PsycopgIntegrityError = IntegrityError  # type: ignore[assignment,misc]
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User, UserRole
from sep_portal.api import webhooks
from sep_portal.auth.models import AuthToken
from sep_portal.core import audit, clock, outbox, storage, sweep
from sep_portal.core.db import bulk_insert, reserve_ids
from sep_portal.core.exports import safe_cell
from sep_portal.core.nip import nip_problem, normalize_nip
from sep_portal.core.permissions import ASN
from sep_portal.core.security import new_token
from sep_portal.tenants import notifications
from sep_portal.tenants.models import AccountImport, AccountImportProblem, Body

log = logging.getLogger(__name__)

COLUMNS = ("nip", "nama", "email", "unit_kerja", "jabatan")
REQUIRED = ("nip", "nama", "email")
ALIASES = {"name": "nama", "nama_lengkap": "nama", "e-mail": "email", "surel": "email", "unit": "unit_kerja",
           "unit kerja": "unit_kerja", "position": "jabatan"}
CHUNK = 2000
MAX_PROBLEMS_KEPT = 2000
LEASE = timedelta(minutes=30)
_progress: dict[int, int] = {}  # job id -> rows done, for this process (SQLite cannot show it otherwise)


class ImportFileError(Exception):
    """The file as a whole cannot be read (no header, wrong columns, not a spreadsheet)."""


@dataclass
class Row:
    number: int  # as the person sees it in the spreadsheet (the header is row 1)
    values: dict[str, str]
    problems: list[tuple[str | None, str]] = field(default_factory=list)


# -- reading ------------------------------------------------------------------------------------

def _header(cells: list[Any]) -> list[str | None]:
    names: list[str | None] = []
    for cell in cells:
        key = str(cell or "").strip().lower().replace("-", "_") if cell is not None else ""
        key = ALIASES.get(key, ALIASES.get(key.replace("_", " "), key))
        names.append(key if key in COLUMNS else None)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFileError(_("The first row must name the columns; missing: %(cols)s. Use the template.",
                                cols=", ".join(missing)))
    return names


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel keeps numbers as floating point: an 18-digit NIP loses its last digits.
        return f"{value:.0f}" if value.is_integer() and value < 1e15 else "#NUMBER"
    return str(value).strip()


def read_rows(path: Path, kind: str) -> Iterator[Row]:
    """The data rows of a CSV (UTF-8, comma or semicolon) or XLSX file, one at a time."""
    if kind == "xlsx":
        from openpyxl import load_workbook

        _check_package(path)
        handle = open(path, "rb")  # a file object: openpyxl would judge a path by its extension
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # a damaged package: openpyxl raises many kinds
            handle.close()
            raise ImportFileError(_("The XLSX file cannot be read.")) from exc
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # never trust the declared size (A1:XFD1048576 costs minutes)
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            first = next(rows, None)
            if first is None:
                raise ImportFileError(_("The file is empty."))
            names = _header(list(first))
            for number, cells in enumerate(rows, start=2):
                _row_limit(number)
                values = {n: _cell(v) for n, v in zip(names, cells, strict=False) if n}
                if any(values.values()):
                    yield Row(number, values)
        finally:
            workbook.close()
            handle.close()
        return
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first_line = fh.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        names = _header(next(csv.reader([first_line], delimiter=delimiter), []))
        for number, cells in enumerate(csv.reader(fh, delimiter=delimiter), start=2):
            _row_limit(number)
            values = {n: (v or "").strip() for n, v in zip(names, cells, strict=False) if n}
            if any(values.values()):
                yield Row(number, values)


MAX_COLUMNS = 30
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200


def _row_limit(number: int) -> None:
    """Blank rows count too: a sheet of a million empty rows is refused, not walked."""
    limit = current_app.config["SEP_IMPORT_MAX_ROWS"]
    if number > limit + 1:
        raise ImportFileError(_("The file has more than %(n)d rows. Split it.", n=limit))


def _check_package(path: Path) -> None:
    """An XLSX is a ZIP: refuse one that would unpack to far more than it weighs (a zip bomb),
    before openpyxl reads a byte of it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(_("The XLSX file cannot be read.")) from exc
    total = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    ratio = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if total > MAX_UNPACKED_BYTES or shared > MAX_SHARED_STRINGS_BYTES or ratio > MAX_RATIO:
        raise ImportFileError(_("The XLSX file unpacks to far more data than it holds and is refused. Save it "
                                "again from Excel or use CSV."))


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- validation ---------------------------------------------------------------------------------

class Checker:
    """Validates rows chunk by chunk: each row alone, against the rows before it in the file,
    and against the portal (one query per chunk for NIPs and one for e-mails)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen_nips: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}

    def normalize(self, chunk: list[Row]) -> None:
        """Only what the import needs of the checks: NIP without separators, e-mail normalised."""
        for row in chunk:
            v = row.values
            for column in ("nama", "unit_kerja", "jabatan"):
                if v.get(column):
                    v[column] = " ".join(v[column].split())
            v["nip"] = normalize_nip(v.get("nip", ""))
            v["email"] = validate_email(v["email"], check_deliverability=False).normalized.lower()

    def check(self, chunk: list[Row]) -> None:
        for row in chunk:
            v = row.values
            for column in ("nama", "unit_kerja", "jabatan"):  # one line, single spaces (it goes into e-mails)
                if v.get(column):
                    v[column] = " ".join(v[column].split())
            for column in REQUIRED:
                if not v.get(column):
                    row.problems.append((column, _("%(column)s is required.", column=column)))
            raw_nip = v.get("nip", "")
            nip = "" if raw_nip == "#NUMBER" else normalize_nip(raw_nip)
            v["nip"] = nip
            if raw_nip == "#NUMBER":
                row.problems.append(("nip", _("The NIP is stored as a number in Excel and lost digits; format "
                                              "the column as text.")))
            elif nip:
                problem = nip_problem(nip)
                if problem:
                    row.problems.append(("nip", problem))
            if v.get("email"):
                try:
                    v["email"] = validate_email(v["email"], check_deliverability=False).normalized.lower()
                except EmailNotValidError:
                    row.problems.append(("email", _("Enter a valid e-mail address.")))
            for column, limit in (("nama", 200), ("unit_kerja", 200), ("jabatan", 200), ("email", 254)):
                if len(v.get(column, "")) > limit:
                    row.problems.append((column, _("%(column)s is longer than %(n)d characters.", column=column,
                                                   n=limit)))
            if nip in self.seen_nips:
                row.problems.append(("nip", _("The same NIP is already in row %(n)d.", n=self.seen_nips[nip])))
            elif nip:
                self.seen_nips[nip] = row.number
            email = v.get("email", "")
            if email in self.seen_emails:
                row.problems.append(("email", _("The same e-mail is already in row %(n)d.",
                                               n=self.seen_emails[email])))
            elif email:
                self.seen_emails[email] = row.number
        nips = [r.values["nip"] for r in chunk if r.values.get("nip")]
        emails = [r.values["email"] for r in chunk if r.values.get("email")]
        taken = dict(self.session.execute(select(User.nip, User.status).where(User.nip.in_(nips))).all())
        taken_emails = set(self.session.scalars(select(User.email).where(User.email.in_(emails))))
        for row in chunk:
            problem = User.nip_taken_for(taken.get(row.values.get("nip", "")))
            if problem:
                row.problems.append(("nip", problem))
            if row.values.get("email") in taken_emails:
                row.problems.append(("email", _("This e-mail address already has an account on the portal.")))


# -- the job ------------------------------------------------------------------------------------

def _set_progress(job_id: int, done: int, *, durable: bool) -> None:
    _progress[job_id] = done
    if durable:
        from sep_portal.extensions import db

        with db.new_session() as s:
            s.execute(update(AccountImport).where(AccountImport.id == job_id).values(processed_rows=done))
            s.commit()


def progress_of(job: AccountImport) -> int:
    return max(job.processed_rows, _progress.get(job.id, 0))


def _write_first(session: Session, job_id: int, done: int) -> None:
    """On SQLite, begin the transaction with a write: a transaction that read first and then
    writes fails at once ("database is locked") if another connection wrote in between; one that
    writes first waits its turn (busy timeout) and then sees the latest data. Not on PostgreSQL:
    there the job row must stay free for the progress updates made from another connection."""
    if session.get_bind().dialect.name == "sqlite":
        session.commit()  # end a transaction that has only read so far (it would hold an old snapshot)
        session.execute(update(AccountImport).where(AccountImport.id == job_id).values(processed_rows=done))


def _report_writer(path: Path) -> tuple[Any, Any]:
    fh = open(path, "w", encoding="utf-8-sig", newline="")
    writer = csv.writer(fh)
    writer.writerow(["baris", "nip", "nama", "email", "hasil", "keterangan"])
    return fh, writer


def _claim(session: Session, job_id: int, from_status: str, to_status: str, now: datetime) -> AccountImport | None:
    """Take the job (once, even with several workers); a stopped worker's job is free after the lease."""
    result = session.execute(
        update(AccountImport)
        .where(AccountImport.id == job_id,
               (AccountImport.status == from_status) |
               ((AccountImport.status == to_status) & (AccountImport.claimed_until < now)))
        .values(status=to_status, started_at=now, claimed_until=now + LEASE, processed_rows=0)
    )
    session.commit()
    if result.rowcount != 1:
        return None
    return session.get(AccountImport, job_id)


def run_check(job_id: int) -> None:
    """The dry run: validate every row, keep the problems and a per-row report."""
    from sep_portal.extensions import db

    with db.new_session() as session:
        job = _claim(session, job_id, "queued_check", "checking", clock.now())
        if job is None:
            return
        _write_first(session, job_id, 0)
        source = storage.path_of(session.get(storage.StoredFile, job.file_id))
        kind = session.get(storage.StoredFile, job.file_id).kind
        report_path = storage.work_path(".csv")
        fh, writer = _report_writer(report_path)
        checker = Checker(session)
        total = errors = kept = 0
        try:
            session.execute(delete(AccountImportProblem).where(AccountImportProblem.import_id == job.id))
            for chunk in _chunks(read_rows(source, kind), CHUNK):
                _write_first(session, job_id, total)
                checker.check(chunk)
                problems = []
                for row in chunk:
                    total += 1
                    v = row.values
                    if row.problems:
                        errors += 1
                        for column, message in row.problems:
                            if kept < MAX_PROBLEMS_KEPT:
                                problems.append({"import_id": job.id, "row_number": row.number, "field": column,
                                                 "message": message[:300]})
                                kept += 1
                    writer.writerow([row.number, safe_cell(v.get("nip", "")), safe_cell(v.get("nama", "")),
                                     safe_cell(v.get("email", "")), "GALAT" if row.problems else "OK",
                                     "; ".join(m for _c, m in row.problems)])
                    if total > current_app.config["SEP_IMPORT_MAX_ROWS"]:
                        raise ImportFileError(_("The file has more than %(n)d rows. Split it.",
                                                n=current_app.config["SEP_IMPORT_MAX_ROWS"]))
                if problems:
                    session.execute(insert(AccountImportProblem), problems)
                job.processed_rows = total
                session.commit()
                _progress[job.id] = total
            fh.close()
            report = storage.save_generated_path(session, report_path, kind="csv",
                                                 filename=f"laporan-periksa-impor-{job.id}.csv",
                                                 purpose="import:report")
            job.total_rows, job.error_rows, job.report_file_id = total, errors, report.id
            if total == 0:
                job.status, job.message = "invalid", _("The file has no data rows.")
            else:
                job.status = "checked" if errors == 0 else "invalid"
            job.finished_at, job.claimed_until = clock.now(), None
            audit.record(session, session.get(User, job.created_by_id), "accounts.import_checked", job,
                         after={"rows": total, "rows_with_problems": errors})
            notifications.import_finished(session, job.id)
            session.commit()
        except ImportFileError as exc:
            fh.close()
            report_path.unlink(missing_ok=True)
            session.rollback()
            _fail(session, job_id, str(exc), status="invalid")
        except Exception:
            fh.close()
            report_path.unlink(missing_ok=True)
            session.rollback()
            log.exception("account import %s: check failed", job_id)
            _fail(session, job_id, _("The check stopped because of an internal error. Try again."))
        finally:
            _progress.pop(job_id, None)


def _fail(session: Session, job_id: int, message: str, *, status: str = "failed") -> None:
    session.execute(update(AccountImport).where(AccountImport.id == job_id).values(
        status=status, message=message[:2000], finished_at=clock.now(), claimed_until=None))
    notifications.import_finished(session, job_id)
    session.commit()


def run_import(job_id: int) -> None:
    """The import itself: every row again (the portal may have changed since the check), then all
    accounts, roles, activation links, e-mails, audit entries and webhooks in one transaction.
    One problem anywhere and nothing is imported."""
    from sep_portal.extensions import db

    with db.new_session() as session:
        job = _claim(session, job_id, "queued_import", "importing", clock.now())
        if job is None:
            return
        _write_first(session, job_id, 0)
        stored = session.get(storage.StoredFile, job.file_id)
        body = session.get(Body, job.body_id)
        actor = session.get(User, job.created_by_id)
        assert stored is not None and body is not None and actor is not None
        durable = session.get_bind().dialect.name == "postgresql"
        days = current_app.config["SEP_ACTIVATION_DAYS"]
        now = clock.now()
        checker = Checker(session)
        source = storage.path_of(stored)
        done = 0
        try:
            # Every row first, against the portal as it is before this import adds anything (fast,
            # index lookups); then the inserts. The unique indexes still catch anything registered
            # in between: the whole transaction is then rolled back.
            for chunk in _chunks(read_rows(source, stored.kind), CHUNK):
                checker.check(chunk)
                bad = next((r for r in chunk if r.problems), None)
                if bad is not None:
                    raise ImportFileError(_("Row %(n)d: %(problem)s Nothing was imported; check the file again.",
                                            n=bad.number, problem=bad.problems[0][1]))
            normalized = Checker(session)  # the same normalisation (NIP, e-mail), without the queries
            created = array("q")  # the new ids, 8 bytes each
            for chunk in _chunks(read_rows(source, stored.kind), CHUNK):
                normalized.normalize(chunk)
                created.extend(_insert_chunk(session, chunk, body, actor, job, now, days))
                done += len(chunk)
                _set_progress(job_id, done, durable=durable)
            # The audit entries last: appending takes the audit log's one lock until commit, and
            # other people's audited actions wait for it; so hold it seconds, not the whole import.
            audit.record_many(session, actor, "account.created", (
                (("users", i), {"status": "pending", "roles": [ASN], "body_id": body.id, "import_id": job.id})
                for i in created), count=len(created))
            job.status, job.imported_rows, job.processed_rows = "imported", done, done
            job.finished_at, job.claimed_until = clock.now(), None
            audit.record(session, actor, "accounts.imported", job, after={"accounts": done, "body_id": body.id})
            notifications.import_finished(session, job.id)
            session.commit()
        except ImportFileError as exc:
            session.rollback()
            _fail(session, job_id, str(exc))
        except (IntegrityError, PsycopgIntegrityError):  # COPY raises the driver's own error
            session.rollback()
            _fail(session, job_id, _("A NIP or e-mail in the file was registered by someone else meanwhile. "
                                     "Nothing was imported; check the file again."))
        except Exception:
            session.rollback()
            log.exception("account import %s: import failed", job_id)
            _fail(session, job_id, _("The import stopped because of an internal error. Nothing was imported."))
        finally:
            _progress.pop(job_id, None)


NAME, TOKEN = "\x00NAME\x00", "\x00TOKEN\x00"  # placeholders in the activation mail, rendered once


def _insert_chunk(session: Session, chunk: list[Row], body: Body, actor: User, job: AccountImport, now: datetime,
                  days: int) -> list[int]:
    """One chunk of accounts with their role, activation link, e-mail and webhook, all in bulk
    (COPY on PostgreSQL). Returns the new ids (their audit entries are written at the end)."""
    people = [{"name": r.values["nama"], "nip": r.values["nip"], "email": r.values["email"],
               "unit": r.values.get("unit_kerja") or None, "position": r.values.get("jabatan") or None} for r in chunk]
    common = {"body_id": body.id, "status": "pending", "locale": "id", "is_demo": False, "created_at": now,
              "updated_at": now}
    ids = reserve_ids(session, User.__table__, len(people))
    if ids:
        bulk_insert(session, User.__table__, [{"id": i, **p, **common} for i, p in zip(ids, people, strict=True)])
    else:
        ids = list(session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True),
                                   [{**p, **common} for p in people]))
    bulk_insert(session, UserRole.__table__, [{"user_id": i, "role": ASN} for i in ids])
    tokens, token_rows = [], []
    for i in ids:
        token, digest = new_token()
        tokens.append(token)
        token_rows.append({"user_id": i, "purpose": "activate", "token_hash": digest, "created_at": now,
                           "expires_at": now + timedelta(days=days), "used_at": None})
    bulk_insert(session, AuthToken.__table__, token_rows)
    outbox.enqueue_many(
        session, "auth/activation", {"user": SimpleNamespace(name=NAME), "token": TOKEN, "days": days, "body": body},
        ((p["email"], {NAME: p["name"], TOKEN: token}) for p, token in zip(people, tokens, strict=True)))
    webhooks.emit(session, "account.created", [
        SimpleNamespace(**p, status="pending", body_id=body.id) for p in people
    ])
    return ids


# -- starting jobs --------------------------------------------------------------------------------

def start(app: Flask, job_id: int, phase: str) -> None:
    """Run the job's phase now (tests) or in a background thread; the sweep and the worker pick up
    a job whose thread died (after the lease)."""
    run = run_check if phase == "check" else run_import
    if app.config["SEP_JOBS_INLINE"]:
        run(job_id)
        return

    def target() -> None:
        with app.app_context():
            run(job_id)

    threading.Thread(target=target, name=f"import-{job_id}-{phase}", daemon=True).start()


@sweep.task("tenants.imports")
def run_queued_imports(now: datetime) -> int:
    """Run imports that are queued (or whose worker stopped), one after another."""
    from sep_portal.extensions import db

    with db.new_session() as session:
        jobs = session.execute(
            select(AccountImport.id, AccountImport.status).where(
                AccountImport.status.in_(("queued_check", "queued_import")) |
                (AccountImport.status.in_(("checking", "importing")) & (AccountImport.claimed_until < now)))
            .order_by(AccountImport.id)
        ).all()
    for job_id, status in jobs:
        (run_check if status in ("queued_check", "checking") else run_import)(job_id)
    return len(jobs)


# -- export and the template ----------------------------------------------------------------------

EXPORT_COLUMNS = ("nip", "nama", "email", "unit_kerja", "jabatan", "status", "peran", "dibuat", "terakhir_masuk")


def export_rows(session: Session, body_id: int) -> Iterator[list[str]]:
    """Every account of the body, in pages by keyset (constant memory)."""
    from sep_portal.core.formatting import format_datetime

    last: tuple[str, int] | None = None
    while True:
        query = select(User).where(User.body_id == body_id).order_by(User.name, User.id).limit(1000)
        if last is not None:
            from sqlalchemy import tuple_

            query = query.where(tuple_(User.name, User.id) > tuple_(*last))
        users = session.scalars(query).all()
        if not users:
            return
        for u in users:
            yield [safe_cell(v) for v in (
                u.nip or "", u.name, u.email, u.unit or "", u.position or "", u.status, ",".join(sorted(u.roles)),
                format_datetime(u.created_at), format_datetime(u.last_login_at) if u.last_login_at else "")]
        last = (users[-1].name, users[-1].id)
        session.expunge_all()


TEMPLATE_EXAMPLE = ("199001012015031001", "Andi Pratama", "andi.pratama@contoh.go.id", "Bagian Umum",
                    "Analis Kebijakan")
