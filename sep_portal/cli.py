"""`flask sep ...`: the operator's commands, grouped per feature."""
from __future__ import annotations

import sys
import time as time_mod
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from sep_portal.core import clock
from sep_portal.core.errors import DomainError
from sep_portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@click.group("sep", help="SEP Portal operations.")
def sep_cli() -> None:
    pass


# -- database ---------------------------------------------------------------------------------

def alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url or current_app.config["DATABASE_URL"]
    return cfg


@sep_cli.group("db", help="Database schema (Alembic).")
def db_cli() -> None:
    pass


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("current")
@with_appcontext
def db_current() -> None:
    from alembic import command

    command.current(alembic_config(), verbose=False)


# -- users ------------------------------------------------------------------------------------

@sep_cli.group("user", help="Accounts.")
def user_cli() -> None:
    pass


@user_cli.command("create")
@click.option("--role", "roles", multiple=True, required=True, help="Role (repeat for several).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--nip", default=None, help="18-digit NIP (optional for staff).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@with_appcontext
def user_create(roles: tuple[str, ...], email: str, name: str, nip: str | None, password: str) -> None:
    """Create an active staff account (TOTP is enrolled at first sign-in)."""
    from sep_portal.accounts.operations import create_staff_user

    try:
        user = create_staff_user(db.session, "system:cli", email=email, name=name, roles=list(roles),
                                 password=password, nip=nip, now=clock.now())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.field or 'error'}: {exc.message}") from None
    db.session.commit()
    click.echo(f"Created user {user.id} with roles {', '.join(sorted(user.roles))}.")


def _staff_role_change(email: str, role: str, reason: str, grant: bool) -> None:
    """The operator console's own operations (accounts.operations), from the command line: the
    same rules (staff roles only, the last operator kept), the same audit entry and e-mail."""
    from sep_portal.accounts import operations as account_ops
    from sep_portal.accounts.models import User

    user = User.by_email(db.session, email)
    if user is None:
        raise click.ClickException("email: no account has this address")
    change = account_ops.grant_staff_role if grant else account_ops.revoke_staff_role
    try:
        change(db.session, "system:cli", user, role, reason=reason, now=clock.now())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.field or 'error'}: {exc.message}") from None
    db.session.commit()
    click.echo(f"User {user.id} now has roles {', '.join(sorted(user.roles)) or '-'}.")


@user_cli.command("grant-role")
@click.argument("email")
@click.argument("role")
@click.option("--reason", required=True, help="Recorded in the audit log and sent to the person.")
@with_appcontext
def user_grant_role(email: str, role: str, reason: str) -> None:
    """Grant a staff role (verifikator, pejabat, helpdesk, superadmin) to the account of EMAIL."""
    _staff_role_change(email, role, reason, grant=True)


@user_cli.command("revoke-role")
@click.argument("email")
@click.argument("role")
@click.option("--reason", required=True, help="Recorded in the audit log and sent to the person.")
@with_appcontext
def user_revoke_role(email: str, role: str, reason: str) -> None:
    """Withdraw a staff role from the account of EMAIL; its sessions end."""
    _staff_role_change(email, role, reason, grant=False)


# -- calendar ---------------------------------------------------------------------------------

@sep_cli.group("calendar", help="Working-day calendar: holidays, cuti bersama, closures.")
def calendar_cli() -> None:
    pass


@calendar_cli.command("list")
@click.option("--year", type=int, default=None)
@with_appcontext
def calendar_list(year: int | None) -> None:
    """List the days off (and restored working days) of a year."""
    from sep_portal.core.calendar import get_calendar
    from sep_portal.core.formatting import format_day

    year = year or clock.now().astimezone(clock.WIB).year
    for info in get_calendar().year(year):
        mark = "KERJA" if info.working else "LIBUR"
        origin = "paket holidays" if info.source == "holidays" else (info.source or "")
        if info.estimated:
            origin += ", PERKIRAAN"
        click.echo(f"{info.day.isoformat()}  {mark:5}  {format_day(info.day, locale='id'):<28} "
                   f"{info.reason or ''}  [{origin}]")
    decree = get_calendar().confirmed_years.get(year)
    click.echo(f"Tahun {year} dikonfirmasi: {decree}" if decree else
               f"Tahun {year} belum dikonfirmasi dengan keputusan: hari dari paket holidays adalah perkiraan.")


@calendar_cli.command("confirm")
@click.argument("year", type=int)
@click.option("--decree", required=True, help="Number and date of the decree (SKB) the year was checked against.")
@with_appcontext
def calendar_confirm(year: int, decree: str) -> None:
    """Confirm YEAR's holidays and cuti bersama against its decree (no longer estimates). Audited."""
    from sep_portal.core.calendar import confirm_calendar_year

    try:
        confirm_calendar_year(db.session, "system:cli", year, decree)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Confirmed {year}: {decree}")


@calendar_cli.command("add")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--kind", type=click.Choice(["cuti_bersama", "closure", "working_day"]), required=True)
@click.option("--description", required=True)
@click.option("--source", required=True, help="Decree or notice the day comes from.")
@with_appcontext
def calendar_add(day, kind: str, description: str, source: str) -> None:  # type: ignore[no-untyped-def]
    from sep_portal.core.calendar import add_calendar_day

    try:
        add_calendar_day(db.session, "system:cli", day.date(), kind, description, source)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Added {day.date().isoformat()} ({kind}).")


@calendar_cli.command("remove")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@with_appcontext
def calendar_remove(day) -> None:  # type: ignore[no-untyped-def]
    from sep_portal.core.calendar import remove_calendar_day

    try:
        remove_calendar_day(db.session, "system:cli", day.date())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Removed {day.date().isoformat()}.")


@calendar_cli.command("due")
@click.argument("start")
@click.argument("n", type=int)
@with_appcontext
def calendar_due(start: str, n: int) -> None:
    """Show add_working_days(START, N), e.g. `flask sep calendar due "2026-11-24 10:00" 4`."""
    from sep_portal.core.calendar import add_working_days
    from sep_portal.core.formatting import format_datetime

    click.echo(format_datetime(add_working_days(clock.parse_timestamp(start), n), locale="id"))


# -- sweep and worker -------------------------------------------------------------------------

@sep_cli.command("sweep")
@click.option("--at", "at", default=None, help="Run as if it were this time (ISO; WIB if no zone given).")
@with_appcontext
def sweep(at: str | None) -> None:
    """Apply due deadlines and send queued e-mail. Idempotent; safe on several servers at once."""
    from sep_portal.core.sweep import run_sweep

    if at:
        clock.freeze(clock.parse_timestamp(at))
    try:
        report = run_sweep()
    finally:
        if at:
            clock.unfreeze()
    mail, hooks = report.mail, report.webhooks
    click.echo(f"Sweep at {report.at.isoformat()}: tasks {report.tasks or '{}'}; "
               f"mail claimed {mail.claimed}, sent {mail.sent}, failed {mail.failed}, gave up {mail.gave_up}; "
               f"webhooks sent {hooks.sent}, failed {hooks.failed}.")


@sep_cli.command("worker")
@click.option("--interval", default=30, show_default=True, help="Seconds between deliveries.")
@click.option("--once", is_flag=True, help="Deliver once and stop.")
@with_appcontext
def worker(interval: int, once: bool) -> None:
    """Deliver the outbox (e-mail and webhooks) and run queued imports continuously (optional;
    the sweep does the same every time it runs)."""
    from sep_portal.core.outbox import deliver_pending, deliver_webhooks
    from sep_portal.tenants.importer import run_queued_imports

    while True:
        imports = run_queued_imports(clock.now())
        report = deliver_pending()
        hooks = deliver_webhooks()
        if report.claimed or hooks.claimed or imports:
            click.echo(f"sent {report.sent}, failed {report.failed}; webhooks sent {hooks.sent}, "
                       f"failed {hooks.failed}; imports {imports}")
        if once:
            return
        busy = report.claimed or hooks.claimed or imports
        time_mod.sleep(0.1 if busy else interval)


# -- audit ------------------------------------------------------------------------------------

@sep_cli.group("audit", help="Audit log.")
def audit_cli() -> None:
    pass


@audit_cli.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain; exit 1 and name the first broken entry if it was tampered with."""
    from sep_portal.core.audit import verify

    with db.new_session() as session:
        result = verify(session)
    if result.ok:
        click.echo(f"OK: {result.checked} audit entries, hash chain intact.")
        return
    click.echo(f"BROKEN at entry {result.broken_seq}: {result.reason} ({result.checked} entries verified before it).")
    sys.exit(1)


# -- government bodies ------------------------------------------------------------------------

@sep_cli.group("bodies", help="The reference list of government bodies.")
def bodies_cli() -> None:
    pass


@bodies_cli.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV with code,kind,name,parent_code,source (default: the list shipped with the portal).")
@with_appcontext
def bodies_load(path: Path | None) -> None:
    """Add new bodies and update changed ones, matched by code. Nothing is deleted."""
    from sep_portal.core import audit
    from sep_portal.tenants import reference

    with db.new_session() as session:
        try:
            added, updated = reference.load(session.connection(), clock.now(), path or reference.DATA)
        except (ValueError, KeyError) as exc:
            raise click.ClickException(f"the file is not valid: {exc}") from None
        audit.record(session, "cli", "bodies.loaded", None, after={"added": added, "updated": updated})
        session.commit()
    click.echo(f"{added} bodies added, {updated} updated.")


# -- demo data --------------------------------------------------------------------------------

@sep_cli.group("demo", help="Demo data for a development machine.")
def demo_cli() -> None:
    pass


@demo_cli.command("load")
@with_appcontext
def demo_load() -> None:
    """Load the demo body and accounts once (does nothing if they exist)."""
    from sep_portal import demo

    if not current_app.config.get("SEP_DEMO_DATA"):
        raise click.ClickException("Demo data is only for development (SEP_ENV=development).")
    created = demo.load(db.session)
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present.")


@demo_cli.command("show")
@with_appcontext
def demo_show() -> None:
    """Print the demo sign-ins."""
    from sep_portal import demo

    click.echo(demo.describe(db.session, current_app.config["SEP_BASE_URL"]))


