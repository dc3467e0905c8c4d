"""Audit log: append-only, hash-chained, verifiable."""
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from sep_portal.core import audit
from sep_portal.core.audit import AuditEntry
from sep_portal.extensions import db


def test_record_chains_entries(ctx, factories):
    user = factories.user(roles=("superadmin",))
    first = audit.record(ctx, user, "test.one", ("thing", 1), before={"a": 1}, after={"a": 2})
    second = audit.record(ctx, None, "test.two", ("thing", 1))
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert first.actor_id == user.id and first.actor_label == f"user:{user.id}"
    assert first.ip == "10.1.2.3"
    assert audit.verify(ctx).ok


def _tamper(session, sql, params):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    else:
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("DROP TRIGGER audit_log_no_delete"))
    session.execute(text(sql), params)
    session.expire_all()


def test_verify_detects_an_edited_row(ctx):
    seqs = [audit.record(ctx, "system:test", f"test.{i}", ("thing", i), after={"i": i}).seq for i in range(3)]
    assert audit.verify(ctx).ok
    _tamper(ctx, "UPDATE audit_log SET after = :after WHERE seq = :seq", {"after": '{"i": 99}', "seq": seqs[1]})
    result = audit.verify(ctx)
    assert not result.ok
    assert result.broken_seq == seqs[1]
    assert "hash" in result.reason


def test_verify_detects_a_deleted_row(ctx):
    seqs = [audit.record(ctx, "system:test", f"test.{i}", None).seq for i in range(3)]
    _tamper(ctx, "DELETE FROM audit_log WHERE seq = :seq", {"seq": seqs[1]})
    result = audit.verify(ctx)
    assert not result.ok and result.broken_seq == seqs[1]


def test_verify_detects_a_removed_tail(ctx):
    seqs = [audit.record(ctx, "system:test", f"test.{i}", None).seq for i in range(2)]
    _tamper(ctx, "DELETE FROM audit_log WHERE seq = :seq", {"seq": seqs[-1]})
    result = audit.verify(ctx)
    assert not result.ok and result.broken_seq == seqs[-1]


def test_database_refuses_update_and_delete(ctx):
    entry = audit.record(ctx, "system:test", "test.x", None)
    ctx.flush()
    for sql in ("UPDATE audit_log SET action = 'x' WHERE seq = :seq", "DELETE FROM audit_log WHERE seq = :seq"):
        with pytest.raises(DatabaseError):
            with ctx.begin_nested():
                ctx.execute(text(sql), {"seq": entry.seq})


def test_orm_refuses_update(ctx):
    entry = audit.record(ctx, "system:test", "test.x", None)
    entry.action = "changed"
    with pytest.raises(RuntimeError):
        ctx.flush()
    ctx.rollback()


def test_cli_verify_reports_the_broken_row(app, ctx):
    seq = audit.record(ctx, "system:test", "test.cli", None, after={"v": 1}).seq
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sep", "audit", "verify"])
    assert result.exit_code == 0 and "hash chain intact" in result.output
    _tamper(ctx, "UPDATE audit_log SET actor_label = 'someone else' WHERE seq = :seq", {"seq": seq})
    ctx.commit()  # releases the savepoint so the command's own session sees it
    result = runner.invoke(args=["sep", "audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {seq}" in result.output


@pytest.mark.postgres
def test_concurrent_appends_never_fork_the_chain(app, committed):
    """Eight threads append at once on PostgreSQL; the chain stays one line."""
    errors = []
    barrier = threading.Barrier(8)

    def worker(n):
        try:
            with app.app_context():
                with db.new_session() as s:
                    barrier.wait()
                    for i in range(5):
                        audit.record(s, "system:test", "test.race", ("thread", n), after={"i": i})
                        s.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    with db.bound(app).factory() as s:
        result = audit.verify(s)
        assert result.ok, result
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "test.race").limit(1)) is not None
