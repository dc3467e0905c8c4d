"""Bimtek pages: upcoming sessions and my registrations (/bimtek), a session (/bimtek/<id>), the
agents' pages (/bimtek/kelola, /bimtek/<id>/kelola) and the certificate (/bimtek/<id>/sertifikat).
Views translate HTTP into operations (through ``run_action``) and queries; no SQL here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from sep_portal.bimtek import bp, queries
from sep_portal.bimtek import labels as _labels  # noqa: F401  (registers the status filters)
from sep_portal.bimtek import operations as ops
from sep_portal.bimtek.forms import CancelSessionForm, SessionForm
from sep_portal.bimtek.models import BimtekRegistration, BimtekSession
from sep_portal.core import clock, storage
from sep_portal.core.actions import run_action
from sep_portal.core.errors import NotPermitted
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.pagination import page_number, page_size
from sep_portal.core.permissions import HELPDESK, SUPERADMIN, current_actor, require_role
from sep_portal.extensions import db

MANAGERS = (HELPDESK, SUPERADMIN)


def _session(session_id: int) -> BimtekSession:
    bimtek = db.session.get(BimtekSession, session_id)
    if bimtek is None:
        raise NotFound()
    return bimtek


def _details(form: SessionForm) -> ops.SessionDetails:
    day = form.date.data

    def at(t: Any) -> datetime | None:
        return datetime.combine(day, t, tzinfo=clock.WIB) if day and t else None

    return ops.SessionDetails(topic=form.topic.data or "", description=form.description.data or "",
                              starts_at=at(form.start_time.data), ends_at=at(form.end_time.data),  # type: ignore[arg-type]
                              mode=form.mode.data or "", place=form.place.data, online_url=form.online_url.data,
                              capacity=form.capacity.data)  # type: ignore[arg-type]


# -- participants ------------------------------------------------------------------------------------

@bp.route("/bimtek")
@login_required
def index() -> Any:
    now = clock.now()
    upcoming = queries.upcoming_sessions(db.session, now, page=page_number(), per_page=page_size())
    mine = queries.registrations_of_user(db.session, current_user.id)
    return render_template("bimtek/index.html", upcoming=upcoming,
                           taken=queries.seats_taken(db.session, [s.id for s in upcoming]),
                           mine=mine, ranks=queries.waiting_ranks(db.session, mine), at=now)


@bp.route("/bimtek/<int:session_id>")
@login_required
def detail(session_id: int) -> Any:
    bimtek = _session(session_id)
    now = clock.now()
    registration = queries.registration_of(db.session, bimtek.id, current_user.id)
    taken = queries.seats_taken(db.session, [bimtek.id]).get(bimtek.id, 0)
    return render_template("bimtek/detail.html", bimtek=bimtek, registration=registration, taken=taken,
                           open=bimtek.is_open_for_registration(now), confirm=ConfirmForm(),
                           can_manage=bimtek.can_manage(current_actor()))


def _detail_url(session_id: int) -> str:
    return url_for("bimtek.detail", session_id=session_id)


def _registered(registration: BimtekRegistration) -> str:
    if registration.status == "registered":
        return _("You are registered. A confirmation was sent by e-mail.")
    return _("The session is full: you are number %(n)d on the waiting list. We will e-mail you if a seat frees up.",
             n=registration.position)


@bp.route("/bimtek/<int:session_id>/daftar", methods=["POST"])
@login_required
def register(session_id: int) -> Any:
    _session(session_id)
    return run_action(lambda: ops.register(db.session, session_id, current_actor(), now=clock.now()),
                      success=_registered, redirect_to=_detail_url(session_id))


@bp.route("/bimtek/<int:session_id>/batal", methods=["POST"])
@login_required
def cancel(session_id: int) -> Any:
    _session(session_id)
    return run_action(lambda: ops.cancel_registration(db.session, session_id, current_actor(), now=clock.now()),
                      success=_("Your registration was cancelled."), redirect_to=_detail_url(session_id))


def _certificate(session_id: int, user_id: int) -> Any:
    registration = queries.registration_of(db.session, session_id, user_id)
    if registration is None or not registration.can_download_certificate(current_actor()):
        raise NotFound()  # also for other people's certificates: nothing to learn from the answer
    try:
        stored = ops.issue_certificate(db.session, registration.id, current_actor(), now=clock.now())
    except NotPermitted:
        db.session.rollback()
        raise NotFound() from None
    db.session.commit()
    return storage.send(stored)


@bp.route("/bimtek/<int:session_id>/sertifikat")
@login_required
def certificate(session_id: int) -> Any:
    return _certificate(session_id, current_user.id)


@bp.route("/bimtek/<int:session_id>/sertifikat/<int:user_id>")
@login_required
def certificate_of(session_id: int, user_id: int) -> Any:
    return _certificate(session_id, user_id)


@bp.route("/bimtek/verifikasi/<code>")
def verify(code: str) -> Any:
    """Public: the QR code of a certificate leads here."""
    registration = queries.by_certificate_code(db.session, code)
    if registration is None:
        raise NotFound()
    return render_template("bimtek/verify.html", registration=registration, bimtek=registration.session)


# -- agents --------------------------------------------------------------------------------------------

def _manage_page(form: SessionForm, status: int) -> Any:
    sessions = queries.all_sessions(db.session, page=page_number(), per_page=page_size())
    return render_template("bimtek/manage.html", form=form, sessions=sessions,
                           taken=queries.seats_taken(db.session, [s.id for s in sessions])), status


@bp.route("/bimtek/kelola", methods=["GET", "POST"])
@require_role(*MANAGERS)
def manage() -> Any:
    form = SessionForm()
    if request.method == "GET":
        return _manage_page(form, 200)
    return run_action(lambda: ops.create_session(db.session, current_actor(), _details(form), now=clock.now()),
                      form=form, render=_manage_page, success=_("The session was scheduled."),
                      redirect_to=lambda bimtek: _manage_url(bimtek.id))


def _manage_url(session_id: int) -> str:
    return url_for("bimtek.manage_session", session_id=session_id)


def _filled(bimtek: BimtekSession) -> SessionForm:
    """The edit form showing the session as it is."""
    form = SessionForm(prefix="edit", formdata=None)
    start, end = clock.to_wib(bimtek.starts_at), clock.to_wib(bimtek.ends_at)
    form.topic.data, form.description.data = bimtek.topic, bimtek.description
    form.date.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
    form.mode.data, form.place.data, form.online_url.data = bimtek.mode, bimtek.place, bimtek.online_url
    form.capacity.data = bimtek.capacity
    return form


def _session_page(session_id: int, *, status: int = 200, form: SessionForm | None = None,
                  cancel_form: CancelSessionForm | None = None) -> Any:
    """The agent's page of one session (re-read: a refused action rolled back)."""
    bimtek = _session(session_id)
    return render_template("bimtek/manage_session.html", bimtek=bimtek, form=form or _filled(bimtek),
                           cancel_form=cancel_form or CancelSessionForm(prefix="cancel"), confirm=ConfirmForm(),
                           seated=queries.seated(db.session, bimtek.id), waiting=queries.waiting(db.session, bimtek.id),
                           at=clock.now()), status


@bp.route("/bimtek/<int:session_id>/kelola", methods=["GET", "POST"])
@require_role(*MANAGERS)
def manage_session(session_id: int) -> Any:
    _session(session_id)
    if request.method == "GET":
        return _session_page(session_id)
    form = SessionForm(prefix="edit")
    return run_action(
        lambda: ops.update_session(db.session, session_id, current_actor(), _details(form), now=clock.now()),
        form=form, render=lambda form, status: _session_page(session_id, status=status, form=form),
        success=_("The session was updated."), redirect_to=_manage_url(session_id))


@bp.route("/bimtek/<int:session_id>/kelola/batalkan", methods=["POST"])
@require_role(*MANAGERS)
def cancel_session(session_id: int) -> Any:
    _session(session_id)
    form = CancelSessionForm(prefix="cancel")
    return run_action(
        lambda: ops.cancel_session(db.session, session_id, current_actor(), reason=form.reason.data or "",
                                   now=clock.now()),
        form=form, render=lambda form, status: _session_page(session_id, status=status, cancel_form=form),
        success=_("The session was cancelled; participants are told by e-mail."), redirect_to=_manage_url(session_id))


@bp.route("/bimtek/<int:session_id>/kelola/kehadiran", methods=["POST"])
@require_role(*MANAGERS)
def attendance(session_id: int) -> Any:
    _session(session_id)
    try:
        attended = {int(v) for v in request.form.getlist("attended")}
    except ValueError:
        abort(400)
    return run_action(
        lambda: ops.record_attendance(db.session, session_id, current_actor(), attended, now=clock.now()),
        success=_("Attendance was saved. Participants who attended can download their certificate."),
        redirect_to=_manage_url(session_id))
