"""The operator's account console through its pages: search by each key, the account page, the
changes (reason, confirmation), who may use it, and what the person notices."""
import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.core.audit import AuditEntry
from tests.factories import PASSWORD, outbox_mails, sign_in


def _operator(client, factories):
    user = factories.user(roles=("superadmin",), name="Operator Konsol")
    sign_in(client, user)
    return user


def _names(response):
    import re

    return re.findall(r'href="/admin/akun/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_search_by_nip_email_name_and_role(client, factories):
    _operator(client, factories)
    body, _admin = factories.tenant()
    budi = factories.user(body=body, name="Budi Santoso", email="budi.santoso@uji.go.id")
    factories.user(body=body, name="Budiman Hadi")
    factories.user(roles=("verifikator",), name="Siti Verifikasi")
    assert _names(client.get("/admin/akun", query_string={"q": budi.nip})) == ["Budi Santoso"]
    spaced = f"{budi.nip[:8]} {budi.nip[8:14]} {budi.nip[14:]}"
    assert _names(client.get("/admin/akun", query_string={"q": spaced})) == ["Budi Santoso"]
    assert _names(client.get("/admin/akun", query_string={"q": budi.nip[:10]})) == []  # exact, not a prefix
    assert _names(client.get("/admin/akun", query_string={"q": "Budi.Santoso@UJI.go.id"})) == ["Budi Santoso"]
    assert _names(client.get("/admin/akun", query_string={"q": "budi.santoso@uji"})) == []  # exact
    assert _names(client.get("/admin/akun", query_string={"q": "budi"})) == ["Budi Santoso", "Budiman Hadi"]
    assert _names(client.get("/admin/akun", query_string={"q": "santoso"})) == []  # a name's start
    assert _names(client.get("/admin/akun", query_string={"q": "santoso", "anywhere": "y"})) == ["Budi Santoso"]
    assert _names(client.get("/admin/akun", query_string={"q": "100%_"})) == []  # no wildcards
    assert "Siti Verifikasi" in _names(client.get("/admin/akun", query_string={"role": "verifikator"}))
    assert _names(client.get("/admin/akun")) == []  # nothing listed before a search


def test_the_search_pages_by_name(client, factories, app, monkeypatch):
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    _operator(client, factories)
    for name in ("Dewi A", "Dewi B", "Dewi C"):
        factories.user(name=name)
    first = client.get("/admin/akun", query_string={"q": "dewi"})
    assert _names(first) == ["Dewi A", "Dewi B"]
    import re

    cursor = re.search(r'setelah=([^"&]+)', first.get_data(as_text=True)).group(1)
    assert _names(client.get(f"/admin/akun?q=dewi&setelah={cursor}")) == ["Dewi C"]


def test_the_account_page_shows_roles_status_and_two_step(client, factories):
    _operator(client, factories)
    staff = factories.user(roles=("verifikator", "pejabat"), name="Rina Staf")
    page = client.get(f"/admin/akun/{staff.id}").get_data(as_text=True)
    assert "Rina Staf" in page and "Verifikator" in page and "Pejabat pemutus" in page
    assert "aktif sejak" in page and "Aktif" in page
    assert 'name="grant-reason"' in page and 'name="revoke-confirm"' in page and 'name="status-reason"' in page
    assert 'name="totp-reason"' in page
    assert client.get("/admin/akun/999999").status_code == 404


def test_only_the_operator_opens_or_uses_the_console(client, factories):
    staff = factories.user(roles=("pejabat",))
    target = factories.user(roles=("verifikator",))
    sign_in(client, staff)
    assert client.get("/admin/akun").status_code == 403
    assert client.get(f"/admin/akun/{target.id}").status_code == 403
    response = client.post(f"/admin/akun/{target.id}/peran/beri",
                           data={"grant-role": "superadmin", "grant-reason": "x", "grant-confirm": "y"})
    assert response.status_code == 403
    assert client.post(f"/admin/akun/{target.id}/nonaktifkan",
                       data={"status-reason": "x", "status-confirm": "y"}).status_code == 403


def test_a_change_needs_a_reason_and_a_confirmation(client, factories, session):
    _operator(client, factories)
    staff = factories.user(roles=("verifikator",))
    response = client.post(f"/admin/akun/{staff.id}/peran/beri", data={"grant-role": "pejabat", "grant-reason": "SK"})
    assert response.status_code == 422 and "Centang kotak ini" in response.get_data(as_text=True)
    response = client.post(f"/admin/akun/{staff.id}/peran/beri", data={"grant-role": "pejabat", "grant-confirm": "y"})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(User, staff.id).roles == {"verifikator"}
    response = client.post(f"/admin/akun/{staff.id}/peran/beri",
                           data={"grant-role": "pejabat", "grant-reason": "SK 7/2026", "grant-confirm": "y"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, staff.id).roles == {"verifikator", "pejabat"}
    assert outbox_mails(session, "accounts/role_granted")[-1].recipients == [staff.email]


def test_a_withdrawn_role_signs_the_person_out_at_their_next_request(app, client, factories, session):
    operator = _operator(client, factories)
    staff = factories.user(roles=("verifikator",))
    theirs = app.test_client()
    sign_in(theirs, staff)
    assert theirs.get("/antrean").status_code == 200
    response = client.post(f"/admin/akun/{staff.id}/peran/cabut",
                           data={"revoke-role": "verifikator", "revoke-reason": "Pindah unit", "revoke-confirm": "y"})
    assert response.status_code == 302
    after = theirs.get("/antrean")
    assert after.status_code == 302 and "/masuk" in after.headers["Location"]
    sign_in(theirs, staff)
    assert theirs.get("/antrean").status_code == 403  # the role is gone
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account.role_revoked"))
    assert entry.actor_id == operator.id and entry.after["reason"] == "Pindah unit"
    page = client.get(f"/admin/akun/{staff.id}").get_data(as_text=True)
    assert "Peran dicabut" in page and "Pindah unit" in page  # in the account's history, in words


def test_the_operator_cannot_withdraw_their_own_role_or_disable_themselves(client, factories, session):
    operator = _operator(client, factories)
    factories.user(roles=("superadmin",))  # not the last one either
    response = client.post(f"/admin/akun/{operator.id}/peran/cabut",
                           data={"revoke-role": "superadmin", "revoke-reason": "x", "revoke-confirm": "y"})
    assert response.status_code == 409
    response = client.post(f"/admin/akun/{operator.id}/nonaktifkan", data={"status-reason": "x", "status-confirm": "y"})
    assert response.status_code == 409
    session.expire_all()
    me = session.get(User, operator.id)
    assert me.has_role("superadmin") and me.status == "active"
    assert client.get("/admin/akun").status_code == 200  # still signed in


def test_a_disabled_staff_member_is_signed_out(app, client, factories, session):
    _operator(client, factories)
    staff = factories.user(roles=("helpdesk",))
    theirs = app.test_client()
    sign_in(theirs, staff)
    response = client.post(f"/admin/akun/{staff.id}/nonaktifkan",
                           data={"status-reason": "Pensiun", "status-confirm": "y"})
    assert response.status_code == 302
    assert theirs.get("/dasbor").status_code == 302
    assert theirs.post("/masuk", data={"email": staff.email, "password": PASSWORD}).status_code == 200  # refused
    assert outbox_mails(session, "accounts/disabled")[-1].recipients == [staff.email]


def test_a_reset_two_step_must_be_set_up_again_at_the_next_sign_in(app, client, factories, session):
    _operator(client, factories)
    body, admin = factories.tenant()
    theirs = app.test_client()
    sign_in(theirs, admin)
    response = client.post(f"/admin/akun/{admin.id}/reset-2fa",
                           data={"totp-reason": "Ponsel hilang", "totp-confirm": "y"})
    assert response.status_code == 302
    assert theirs.get("/dasbor").status_code == 302  # signed out
    answer = theirs.post("/masuk", data={"email": admin.email, "password": PASSWORD})
    assert answer.headers["Location"].endswith("/masuk/daftarkan-2fa")  # enrol before anything else
    assert theirs.get("/dasbor").status_code == 302
    mail = outbox_mails(session, "accounts/totp_reset")[-1]
    assert mail.recipients == [admin.email] and "Ponsel hilang" in mail.body_text


def test_the_command_line_grants_and_withdraws_with_the_same_rules(app, connection, factories, session):
    staff = factories.user(roles=("verifikator",), email="staf.cli@kominfo.go.id")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sep", "user", "grant-role", "staf.cli@kominfo.go.id", "pejabat",
                                 "--reason", "SK 9/2026"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["sep", "user", "revoke-role", "staf.cli@kominfo.go.id", "verifikator",
                                 "--reason", "Pindah"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(User, staff.id).roles == {"pejabat"}
    result = runner.invoke(args=["sep", "user", "grant-role", "staf.cli@kominfo.go.id", "sekretaris",
                                 "--reason", "x"])
    assert result.exit_code != 0 and "role" in result.output
    entries = session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(staff.id),
                                                       AuditEntry.action.like("account.role_%"))).all()
    assert [e.action for e in entries] == ["account.role_granted", "account.role_revoked"]
    assert all(e.actor_label == "system:cli" for e in entries)


@pytest.mark.postgres
def test_a_name_prefix_is_one_range_of_the_prefix_index(session, factories):
    """The start of a name is found and ordered by the same index: a common start ("siti") reads
    the page's rows, not every name that sorts before it (as ordering by name did)."""
    from sqlalchemy import event, text

    from sep_portal.admin.queries import AccountSearch, find_accounts

    for i in range(3):
        factories.user(name=f"Siti Uji {i}")
    statements: list[tuple[str, object]] = []
    connection = session.connection()

    def keep(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if "FROM users" in statement:
            statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        page = find_accounts(session, AccountSearch(q="siti"), cursor=None, limit=2)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    assert [u.name for u in page.rows] == ["Siti Uji 0", "Siti Uji 1"] and page.next_cursor
    assert [u.name for u in find_accounts(session, AccountSearch(q="SITI"), cursor=page.next_cursor,
                                          limit=2).rows] == ["Siti Uji 2"]
    session.execute(text("SET LOCAL enable_seqscan = off"))
    statement, parameters = statements[-1]
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "ix_users_name_prefix" in plan and "Sort" not in plan, plan
