"""Bimtek pages: upcoming sessions and my registrations (/bimtek), a session (/bimtek/<id>), the
agents' pages (/bimtek/kelola, /bimtek/<id>/kelola) and the certificate (/bimtek/<id>/sertifikat)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from sep_portal.bimtek import bp
from sep_portal.bimtek import operations as ops
from sep_portal.bimtek.forms import CancelSessionForm, SessionForm
from sep_portal.bimtek.models import BimtekRegistration, BimtekSession
from sep_portal.core import clock, storage
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.forms import ConfirmForm, apply_error, paginate
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
    query = (select(BimtekSession).where(BimtekSession.status == "scheduled", BimtekSession.starts_at > now)
             .order_by(BimtekSession.starts_at, BimtekSession.id))
    rows, page, pages, total = paginate(db.session, query)
    taken = ops.seats_taken(db.session, [s.id for s in rows])
    mine = db.session.scalars(select(BimtekRegistration).where(BimtekRegistration.user_id == current_user.id)
                              .order_by(BimtekRegistration.created_at.desc(), BimtekRegistration.id.desc())
                              .limit(20)).all()
    return render_template("bimtek/index.html", rows=rows, page=page, pages=pages, total=total, taken=taken,
                           mine=mine, at=now)


@bp.route("/bimtek/<int:session_id>")
@login_required
def detail(session_id: int) -> Any:
    bimtek = _session(session_id)
    now = clock.now()
    registration = ops.registration_of(db.session, bimtek.id, current_user.id)
    taken = ops.seats_taken(db.session, [bimtek.id]).get(bimtek.id, 0)
    return render_template("bimtek/detail.html", bimtek=bimtek, registration=registration, taken=taken,
                           open=bimtek.is_open_for_registration(now), confirm=ConfirmForm(),
                           can_manage=bimtek.can_manage(current_actor()))


def _participant_action(session_id: int, run: Any, success: Any) -> Any:
    _session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        registration = run()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success(registration), "success")
    return redirect(url_for("bimtek.detail", session_id=session_id))


@bp.route("/bimtek/<int:session_id>/daftar", methods=["POST"])
@login_required
def register(session_id: int) -> Any:
    return _participant_action(
        session_id, lambda: ops.register(db.session, session_id, current_actor(), now=clock.now()),
        lambda r: _("You are registered. A confirmation was sent by e-mail.") if r.status == "registered" else
        _("The session is full: you are number %(n)d on the waiting list. We will e-mail you if a seat frees up.",
          n=r.position))


@bp.route("/bimtek/<int:session_id>/batal", methods=["POST"])
@login_required
def cancel(session_id: int) -> Any:
    return _participant_action(
        session_id, lambda: ops.cancel_registration(db.session, session_id, current_actor(), now=clock.now()),
        lambda r: _("Your registration was cancelled."))


def _certificate(session_id: int, user_id: int) -> Any:
    registration = ops.registration_of(db.session, session_id, user_id)
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
    registration = ops.by_certificate_code(db.session, code)
    if registration is None:
        raise NotFound()
    return render_template("bimtek/verify.html", registration=registration, bimtek=registration.session)


# -- agents --------------------------------------------------------------------------------------------

@bp.route("/bimtek/kelola", methods=["GET", "POST"])
@require_role(*MANAGERS)
def manage() -> Any:
    form = SessionForm()
    if form.validate_on_submit():
        try:
            bimtek = ops.create_session(db.session, current_actor(), _details(form), now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("The session was scheduled."), "success")
            return redirect(url_for("bimtek.manage_session", session_id=bimtek.id))
    query = select(BimtekSession).order_by(BimtekSession.starts_at.desc(), BimtekSession.id.desc())
    rows, page, pages, total = paginate(db.session, query)
    taken = ops.seats_taken(db.session, [s.id for s in rows])
    return render_template("bimtek/manage.html", form=form, rows=rows, page=page, pages=pages, total=total,
                           taken=taken), 422 if form.errors else 200


@bp.route("/bimtek/<int:session_id>/kelola", methods=["GET", "POST"])
@require_role(*MANAGERS)
def manage_session(session_id: int, cancel_form: CancelSessionForm | None = None,
                   attendance_error: str | None = None) -> Any:
    bimtek = _session(session_id)
    form = SessionForm(prefix="edit")
    editing = request.method == "POST" and cancel_form is None and attendance_error is None
    if not editing:
        start, end = clock.to_wib(bimtek.starts_at), clock.to_wib(bimtek.ends_at)
        form.topic.data, form.description.data = bimtek.topic, bimtek.description
        form.date.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
        form.mode.data, form.place.data, form.online_url.data = bimtek.mode, bimtek.place, bimtek.online_url
        form.capacity.data = bimtek.capacity
    elif form.validate_on_submit():
        try:
            ops.update_session(db.session, bimtek.id, current_actor(), _details(form), now=clock.now())
        except ConflictError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("bimtek.manage_session", session_id=session_id))
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            bimtek = _session(session_id)
        else:
            db.session.commit()
            flash(_("The session was updated."), "success")
            return redirect(url_for("bimtek.manage_session", session_id=session_id))
    seated = db.session.scalars(select(BimtekRegistration).where(
        BimtekRegistration.session_id == bimtek.id,
        BimtekRegistration.status.in_(("registered", "attended", "absent")))
        .order_by(BimtekRegistration.created_at, BimtekRegistration.id)).all()
    waiting = db.session.scalars(select(BimtekRegistration).where(
        BimtekRegistration.session_id == bimtek.id, BimtekRegistration.status == "waitlisted")
        .order_by(BimtekRegistration.position)).all()
    now = clock.now()
    failed = bool(form.errors or (cancel_form and cancel_form.errors) or attendance_error)
    return render_template("bimtek/manage_session.html", bimtek=bimtek, form=form,
                           cancel_form=cancel_form or CancelSessionForm(prefix="cancel"), confirm=ConfirmForm(),
                           seated=seated, waiting=waiting, at=now, attendance_error=attendance_error,
                           editable=bimtek.status == "scheduled" and bimtek.starts_at > now,
                           attendance_open=bimtek.status != "cancelled" and now >= bimtek.starts_at
                           ), 422 if failed else 200


@bp.route("/bimtek/<int:session_id>/kelola/batalkan", methods=["POST"])
@require_role(*MANAGERS)
def cancel_session(session_id: int) -> Any:
    _session(session_id)
    form = CancelSessionForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            ops.cancel_session(db.session, session_id, current_actor(), reason=form.reason.data or "", now=clock.now())
        except ConflictError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("bimtek.manage_session", session_id=session_id))
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("The session was cancelled; participants are told by e-mail."), "success")
            return redirect(url_for("bimtek.manage_session", session_id=session_id))
    return manage_session(session_id, cancel_form=form)


@bp.route("/bimtek/<int:session_id>/kelola/kehadiran", methods=["POST"])
@require_role(*MANAGERS)
def attendance(session_id: int) -> Any:
    _session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attended = {int(v) for v in request.form.getlist("attended")}
    except ValueError:
        abort(400)
    try:
        ops.record_attendance(db.session, session_id, current_actor(), attended, now=clock.now())
    except ConflictError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("bimtek.manage_session", session_id=session_id))
    except DomainError as exc:
        db.session.rollback()
        return manage_session(session_id, attendance_error=exc.message)
    db.session.commit()
    flash(_("Attendance was saved. Participants who attended can download their certificate."), "success")
    return redirect(url_for("bimtek.manage_session", session_id=session_id))
