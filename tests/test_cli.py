"""`flask sep` commands."""
from sqlalchemy import select

from sep_portal.accounts.models import User


def test_user_create_bootstraps_a_staff_account(app, connection, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sep", "user", "create", "--role", "verifikator", "--role", "pejabat",
                                 "--email", "Rina@Kominfo.go.id", "--name", "Rina", "--password",
                                 "Rendang-Padang-Enak-1"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "rina@kominfo.go.id"))
    assert user.roles == {"verifikator", "pejabat"} and user.status == "active" and not user.totp_enabled


def test_user_create_refuses_bad_input(app, connection):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sep", "user", "create", "--role", "raja", "--email", "a@b.go.id",
                                 "--name", "X", "--password", "Rendang-Padang-Enak-1"])
    assert result.exit_code != 0 and "role" in result.output
    result = runner.invoke(args=["sep", "user", "create", "--role", "helpdesk", "--email", "a@b.go.id",
                                 "--name", "X", "--password", "pendek"])
    assert result.exit_code != 0


def test_calendar_commands(app, connection):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sep", "calendar", "list", "--year", "2026"])
    assert result.exit_code == 0 and "2026-12-24" in result.output and "1497 Tahun 2025" in result.output
    assert "PERKIRAAN" not in result.output and "Tahun 2026 dikonfirmasi" in result.output
    result = runner.invoke(args=["sep", "calendar", "list", "--year", "2027"])
    assert "PERKIRAAN" in result.output and "belum dikonfirmasi" in result.output
    result = runner.invoke(args=["sep", "calendar", "confirm", "2027", "--decree", "SKB 1/2026"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["sep", "calendar", "list", "--year", "2027"])
    assert "PERKIRAAN" not in result.output and "SKB 1/2026" in result.output
    result = runner.invoke(args=["sep", "calendar", "due", "2026-11-24 10:00", "4"])
    assert result.output.strip() == "30 November 2026 23.59 WIB"
    result = runner.invoke(args=["sep", "calendar", "add", "2026-11-25", "--kind", "closure",
                                 "--description", "Tutup", "--source", "SE 1/2026"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["sep", "calendar", "due", "2026-11-24 10:00", "4"])
    assert result.output.strip() == "1 Desember 2026 23.59 WIB"
    result = runner.invoke(args=["sep", "calendar", "remove", "2026-11-25"])
    assert result.exit_code == 0
    result = runner.invoke(args=["sep", "calendar", "remove", "2026-11-25"])
    assert result.exit_code != 0


def test_demo_data_refused_outside_development(app, connection):
    result = app.test_cli_runner().invoke(args=["sep", "demo", "load"])
    assert result.exit_code != 0 and "development" in result.output


def test_demo_data_loads_once_and_prints_its_sign_ins(app, ctx):
    from sep_portal import demo

    assert demo.load(ctx) is True
    assert demo.load(ctx) is False
    ctx.commit()
    text = demo.describe(ctx, "http://127.0.0.1:5000")
    assert "superadmin@demo.go.id" in text and demo.DEMO_PASSWORD in text
    admin = User.by_email(ctx, "superadmin@demo.go.id")
    assert admin.totp_secret in text
    from sep_portal.core.nip import nip_problem

    assert all(nip_problem(nip) is None for _e, _n, nip, _r, _b in demo.DEMO_ACCOUNTS if nip)
    from sqlalchemy import select

    from sep_portal.applications.models import Application
    from sep_portal.tenants.models import AdminAssignment

    waiting = ctx.scalars(select(Application)).all()
    assert [(a.status, a.body.code) for a in waiting] == [("submitted", demo.DEMO_APPLICATION_BODY)]
    demo_body = ctx.scalar(select(AdminAssignment.body_id).join(User, User.id == AdminAssignment.user_id)
                           .where(User.email == "admin@demo.go.id"))
    assert demo_body is not None


def test_reference_bodies_are_loaded_and_refreshed_by_code(app, ctx, tmp_path):
    from sqlalchemy import func, select

    from sep_portal.tenants.models import Body

    counts = dict(ctx.execute(select(Body.kind, func.count()).where(Body.source.is_not(None))
                              .group_by(Body.kind)).all())
    assert counts["provinsi"] == 38 and counts["kementerian"] >= 34 and counts["kabupaten"] + counts["kota"] >= 500
    assert ctx.scalar(select(Body.name).where(Body.code == "96")) == "Pemerintah Provinsi Papua Barat Daya"
    ctx.commit()
    csv = tmp_path / "bodies.csv"
    csv.write_text("code,kind,name,parent_code,source\n"
                   "96,provinsi,Pemerintah Provinsi Papua Barat Daya (ubah),,uji\n"
                   "XX-1,lembaga,Badan Uji Coba,,uji\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["sep", "bodies", "load", "--file", str(csv)])
    assert result.exit_code == 0 and "1 bodies added, 1 updated" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,kind,name,parent_code,source\nX,planet,Mars,,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["sep", "bodies", "load", "--file", str(bad)])
    assert result.exit_code != 0 and "planet" in result.output
