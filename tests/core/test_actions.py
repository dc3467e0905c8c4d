"""The one lifecycle of a form action (core.actions.run_action) and the one pagination
(core.pagination): every feature's pages rely on these answers."""
from __future__ import annotations

from typing import Any

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, Forbidden, NotFound
from wtforms import StringField
from wtforms.validators import DataRequired

from sep_portal.accounts.models import User
from sep_portal.core.actions import run_action
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.pagination import decode_cursor, encode_cursor, keyset_page, offset_page, page_url
from sep_portal.core.states import IllegalTransition
from sep_portal.extensions import db


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


def _post(app: Any, data: dict[str, str] | None = None, path: str = "/aksi") -> Any:
    return app.test_request_context(path, method="POST", data=data or {})


def _render(form: FlaskForm, status: int) -> tuple[str, int]:
    return "|".join([*form.form_errors, *form.name.errors]), status


def test_success_commits_once_flashes_and_redirects(app, connection, factories):
    user = factories.user()
    with _post(app, {"name": "Baru"}):
        def rename() -> User:
            account = db.session.get(User, user.id)
            account.name = "Nama Baru"
            return account

        response = run_action(rename, form=NameForm(), render=_render, success=lambda a: f"ok {a.id}",
                              redirect_to=lambda a: f"/akun/{a.id}")
        assert response.status_code == 302 and response.location == f"/akun/{user.id}"
        assert get_flashed_messages(with_categories=True) == [("success", f"ok {user.id}")]
        db.session.remove()
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Nama Baru"


def test_a_domain_error_goes_on_its_field_and_nothing_is_saved(app, connection, factories):
    user = factories.user()

    def refuse() -> None:
        db.session.get(User, user.id).name = "Setengah"
        raise DomainError("name", "Nama sudah dipakai.")

    with _post(app, {"name": "x"}):
        body, status = run_action(refuse, form=NameForm(), render=_render, redirect_to="/")
        assert (body, status) == ("Nama sudah dipakai.", 422)
        db.session.remove()
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == user.name


def test_a_secret_shown_once_is_the_answer_after_the_commit(app, connection, factories):
    user = factories.user()
    with _post(app, {"name": "Baru"}):
        def rename() -> tuple[User, str]:
            account = db.session.get(User, user.id)
            account.name = "Nama Rahasia"
            return account, "rahasia-sekali"

        answer = run_action(rename, form=NameForm(), render=_render, redirect_to="/",
                            respond=lambda result: (f"token {result[1]}", 200))
        assert answer == ("token rahasia-sekali", 200)  # not a redirect: nothing in an address or a cookie
        db.session.remove()
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Nama Rahasia"


def test_an_invalid_form_is_shown_again_and_the_operation_not_run(app, connection):
    ran = []
    with _post(app, {}):
        body, status = run_action(lambda: ran.append(1), form=NameForm(), render=_render, redirect_to="/")
        assert status == 422 and body and not ran
    with _post(app, {}), pytest.raises(BadRequest):  # a button: nothing to show again
        run_action(lambda: ran.append(1), form=NameForm(), redirect_to="/")
    assert not ran


def test_a_conflict_keeps_what_was_typed_and_says_why(app, connection):
    def conflict() -> None:
        raise ConflictError("Orang lain sudah mengubahnya.")

    with _post(app, {"name": "teks panjang"}):
        form = NameForm()
        _, status = run_action(conflict, form=form, render=_render, redirect_to="/")
        assert status == 409 and form.name.data == "teks panjang"
        assert get_flashed_messages(with_categories=True) == [("danger", "Orang lain sudah mengubahnya.")]
    with _post(app):  # a button: back to the page, the message on top
        response = run_action(conflict, redirect_to="/kasus/1")
        assert response.status_code == 302 and response.location == "/kasus/1"
        assert get_flashed_messages() == ["Orang lain sudah mengubahnya."]


def test_an_illegal_transition_is_no_longer_possible_not_an_error(app, connection):
    def moved_on() -> None:
        raise IllegalTransition("case", "open", "warn")

    with _post(app, {"name": "x"}):
        response = run_action(moved_on, form=NameForm(), render=_render, redirect_to="/kasus/1")
        assert response.status_code == 302 and response.location == "/kasus/1"
        assert get_flashed_messages() == ["Tindakan ini tidak dapat dilakukan lagi."]


def test_not_permitted_is_403_or_404_and_a_flashed_error_needs_a_way_back(app, connection):
    def forbidden() -> None:
        raise NotPermitted("x")

    with _post(app), pytest.raises(Forbidden):
        run_action(forbidden, redirect_to="/")
    with _post(app), pytest.raises(NotFound):
        run_action(forbidden, redirect_to="/", not_permitted=404)
    with _post(app):
        response = run_action(lambda: (_ for _ in ()).throw(DomainError(None, "Tidak bisa.")),
                              redirect_to=lambda r: "/x", back="/kembali")
        assert response.location == "/kembali"


def test_offset_page_counts_and_pages(app, connection, factories):
    body = factories.body()
    users = [factories.user(body=body, name=f"Urut {n:02d}") for n in range(5)]
    with app.test_request_context("/"):
        query = select(User).where(User.body_id == body.id).order_by(User.name)
        page = offset_page(db.session, query, page=2, per_page=2)
        assert [u.id for u in page] == [users[2].id, users[3].id]
        assert (page.total, page.pages, page.has_previous, page.has_next) == (5, 3, True, True)
        last = offset_page(db.session, query, page=3, per_page=2)
        assert len(last) == 1 and not last.has_next


def test_keyset_page_walks_the_whole_list_once(app, connection, factories):
    body = factories.body()
    users = [factories.user(body=body, name=name) for name in ("Budi", "Ani", "Budi", "Citra", "Dewi")]
    expected = sorted(users, key=lambda u: (u.name, u.id))
    seen, cursor = [], None
    with app.test_request_context("/"):
        while True:
            page = keyset_page(db.session, select(User).where(User.body_id == body.id), (User.name, User.id),
                               cursor=cursor, limit=2, types=(str, int))
            assert page.is_first == (cursor is None)
            seen += [u.id for u in page]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == [u.id for u in expected]


def test_a_cursor_not_made_by_us_starts_at_the_first_page():
    assert decode_cursor(encode_cursor(["Ani", 3]), (str, int)) == ("Ani", 3)
    assert decode_cursor("bukan-kursor", (str, int)) is None
    assert decode_cursor(encode_cursor(["Ani"]), (str, int)) is None
    assert decode_cursor(encode_cursor(["Ani", "x"]), (str, int)) is None
    assert decode_cursor("a" * 601, (str, int)) is None


def test_page_links_keep_every_filter(app):
    with app.test_request_context("/kasus?status=open&category=3&category=4&mine=1&page=1"):
        from flask import request

        request.url_rule = app.url_map.bind("localhost").match("/kasus", return_rule=True)[0]
        request.view_args = {}
        url = page_url(page=2)
        assert url.startswith("/kasus?")
        for part in ("status=open", "category=3", "category=4", "mine=1", "page=2"):
            assert part in url
        assert "page=1" not in url
        assert "mine" not in page_url(mine=None)
