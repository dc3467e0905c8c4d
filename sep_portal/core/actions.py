"""The one lifecycle of a form action: validate the form → run the operation → commit once →
redirect, with the errors of operations mapped the same way on every page:

| raised by the operation          | answer                                                         |
|----------------------------------|----------------------------------------------------------------|
| ``NotPermitted``                 | 403 (404 where the page must not reveal that the object is there) |
| ``ConflictError``                | the message on top of the page: the form again (409) with what |
|                                  | was typed kept, or for a button the page it came from          |
| ``IllegalTransition``            | "no longer possible" on top of the page it came from           |
| ``DomainError``                  | the form again (422), the message on the field it names; for a |
|                                  | button, the message on top of the page it came from            |
| nothing                          | commit once, the success message, redirect (or, for a secret   |
|                                  | shown once, ``respond(result)``: never through an address or a |
|                                  | cookie)                                                        |

An invalid form is shown again (422) with its errors, or is a 400 for a button whose only field is
the CSRF token. Views keep only what is theirs: which form, which operation, which page.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.forms import ConfirmForm, apply_error
from sep_portal.core.states import IllegalTransition

T = TypeVar("T")
Render = Callable[[FlaskForm, int], Any]


def _resolve(value: str | Callable[[Any], str], result: Any) -> str:
    return value(result) if callable(value) else value


def run_action(operation: Callable[[], T], *, redirect_to: str | Callable[[T], str],
               success: str | Callable[[T], str] | None = None, form: FlaskForm | None = None,
               render: Render | None = None, back: str | None = None, not_permitted: int = 403,
               respond: Callable[[T], Any] | None = None) -> Any:
    """Run ``operation`` for a POSTed ``form`` (a :class:`ConfirmForm` when omitted).

    ``render(form, status)`` shows the page again with the form's errors; without it (a button)
    errors are flashed and the browser goes ``back`` (default: ``redirect_to`` when it is an
    address). ``redirect_to`` and ``success`` may be functions of the operation's result.
    ``respond(result)`` answers after the commit in place of the redirect: only for what may be
    shown once (a new token or secret), which must travel neither in an address nor in a cookie.
    """
    from sep_portal.extensions import db

    form = form if form is not None else ConfirmForm()
    if not form.validate_on_submit():
        db.session.rollback()
        if render is None:
            abort(400)
        return render(form, 422)
    try:
        result = operation()
    except NotPermitted:
        db.session.rollback()
        abort(not_permitted)
    except IllegalTransition:
        # The object moved on since the page was loaded: the form no longer applies.
        db.session.rollback()
        return _refuse(None, back, redirect_to, _("This action is no longer possible."))
    except ConflictError as exc:
        db.session.rollback()
        return _refuse(render and (lambda status: render(form, status)), back, redirect_to, exc.message)
    except DomainError as exc:
        db.session.rollback()
        if render is None:
            return _refuse(None, back, redirect_to, exc.message)
        apply_error(form, exc)
        return render(form, 422)
    db.session.commit()
    if success is not None:
        flash(_resolve(success, result), "success")
    if respond is not None:
        return respond(result)
    return redirect(_resolve(redirect_to, result))


def _refuse(again: Callable[[int], Any] | None, back: str | None, redirect_to: Any, message: str) -> Any:
    """The message on top of the page: the same page again (409) where the form keeps what was
    typed, else the page the action came from."""
    flash(message, "danger")
    if again is not None:
        return again(409)
    if back is None and callable(redirect_to):
        raise TypeError("run_action needs `back` when `redirect_to` depends on the result")
    return redirect(back or redirect_to)
