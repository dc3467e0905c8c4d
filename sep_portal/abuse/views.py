"""Misuse pages: reporting (/lapor), the case queue (/kasus), the user's warnings (/peringatan),
reactivation (/badan/reaktivasi, /reaktivasi) and the operator's categories (/admin/kategori)."""
from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from sep_portal.abuse import bp
from sep_portal.abuse import operations as ops
from sep_portal.abuse.forms import (
    CategoryForm,
    DeactivateForm,
    DecideForm,
    EvaluateForm,
    NoteForm,
    PublicReportForm,
    ReactivationForm,
    ReasonForm,
    ReplyForm,
    ReportForm,
    SubstantiateForm,
)
from sep_portal.abuse.models import (
    CASE_STATUSES,
    AbuseCase,
    AbuseCategory,
    AbuseReport,
    ReactivationRequest,
    ReportEvidence,
    Strike,
    WarningLetter,
)
from sep_portal.accounts.models import User
from sep_portal.core import audit, calendar, clock, storage
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.forms import ConfirmForm, apply_error, paginate
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, SUPERADMIN, VERIFIKATOR, current_actor, require_role
from sep_portal.extensions import db, limit_from_config, limiter, per_person
from sep_portal.tenants.models import Body


def _categories() -> list[tuple[int | str, str]]:
    rows = db.session.scalars(select(AbuseCategory).where(AbuseCategory.active.is_(True))
                              .order_by(AbuseCategory.builtin.desc(), AbuseCategory.name)).all()
    return [("", _("— choose —"))] + [(c.id, c.name) for c in rows]


# -- reporting -----------------------------------------------------------------------------------

_report_limit = limit_from_config("SEP_REPORT_RATE_LIMIT")


@bp.route("/lapor", methods=["GET", "POST"])
@login_required
@limiter.limit(_report_limit, methods=["POST"], key_func=per_person)
def report() -> Any:
    form = ReportForm()
    form.category_id.choices = _categories()
    if request.method == "GET" and request.args.get("akun"):
        form.target.data = request.args["akun"][:254]
    if form.validate_on_submit():
        try:
            ops.report_account(db.session, current_actor(), target=form.target.data or "",
                               category_id=form.category_id.data, description=form.description.data or "",
                               files=request.files.getlist("files"), now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            return render_template("abuse/report_sent.html")
    return render_template("abuse/report.html", form=form, public=False), 422 if form.errors else 200


def _public_enabled() -> None:
    if not current_app.config["SEP_PUBLIC_ABUSE_FORM"]:
        raise NotFound()


_public_limit = limit_from_config("SEP_PUBLIC_REPORT_RATE_LIMIT")


@bp.route("/lapor/publik", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def report_public() -> Any:
    _public_enabled()
    form = PublicReportForm()
    form.category_id.choices = _categories()
    if form.validate_on_submit():
        try:
            ops.report_publicly(db.session, email=form.email.data, target=form.target.data or "",
                                category_id=form.category_id.data, description=form.description.data or "",
                                now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            return render_template("abuse/report_sent.html", public=True)
    return render_template("abuse/report.html", form=form, public=True), 422 if form.errors else 200


@bp.route("/lapor/verifikasi/<token>", methods=["GET", "POST"])
def report_public_confirm(token: str) -> Any:
    _public_enabled()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            ops.confirm_public_report(db.session, token, clock.now())
        except DomainError as exc:
            db.session.rollback()
            return render_template("auth/link_problem.html", message=exc.message), 400
        db.session.commit()
        return render_template("abuse/report_sent.html", confirmed=True)
    return render_template("abuse/confirm_report.html", form=form)


# -- the case queue --------------------------------------------------------------------------------

REVIEWERS = (VERIFIKATOR, PEJABAT)


@bp.route("/kasus")
@require_role(*REVIEWERS)
def cases() -> Any:
    args = request.args
    query = select(AbuseCase)
    status = args.get("status", "open")
    if status == "open":
        query = query.where(AbuseCase.status.in_(("open", "substantiated", "warned", "replied")))
    elif status in CASE_STATUSES:
        query = query.where(AbuseCase.status == status)
    category = args.get("category", type=int)
    if category:
        query = query.where(AbuseCase.category_id == category)
    body_code = args.get("body", "").strip()
    if body_code:
        query = query.join(Body, Body.id == AbuseCase.body_id).where(Body.code == body_code)
    before = args.get("opened_before", "")
    if before:
        try:
            day = datetime.strptime(before, "%Y-%m-%d").date()
            query = query.where(AbuseCase.opened_at <= datetime.combine(day, time(23, 59, 59), tzinfo=clock.WIB))
        except ValueError:
            pass
    if args.get("mine") == "1":
        query = query.where(AbuseCase.assigned_to_id == current_user.id)
    query = query.where(AbuseCase.account_id != current_user.id)  # nobody reviews a case about themselves
    rows, page, pages, total = paginate(db.session, query.order_by(AbuseCase.opened_at, AbuseCase.id))
    ids = [c.id for c in rows]
    report_counts = dict(db.session.execute(select(AbuseReport.case_id, func.count())
                                            .where(AbuseReport.case_id.in_(ids))
                                            .group_by(AbuseReport.case_id)).all()) if ids else {}
    accounts = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([c.account_id for c in rows])))} if rows else {}
    categories = db.session.scalars(select(AbuseCategory).order_by(AbuseCategory.name)).all()
    return render_template("abuse/cases.html", rows=rows, total=total, page=page,
                           pages=pages, report_counts=report_counts, accounts=accounts,
                           categories=categories, args=args, status=status)


def _case(case_id: int) -> AbuseCase:
    case = db.session.get(AbuseCase, case_id)
    if case is None or not case.can_view(current_actor()):
        raise NotFound()
    return case


@bp.route("/kasus/<int:case_id>")
@require_role(*REVIEWERS)
def case(case_id: int, **forms: Any) -> Any:
    item = _case(case_id)
    history = db.session.scalars(select(AbuseCase).where(AbuseCase.account_id == item.account_id,
                                                         AbuseCase.id != item.id)
                                 .order_by(AbuseCase.id.desc())).all()
    strikes = db.session.scalars(select(Strike).where(Strike.user_id == item.account_id)
                                 .order_by(Strike.recorded_at.desc())).all()
    window, needed = ops.strike_policy()
    user = current_actor()
    return render_template(
        "abuse/case.html", case=item, history=history, strikes=strikes, window=window, needed=needed,
        recent_strikes=ops.strikes_in_window(db.session, item.account_id, clock.now()),
        can_work=item.can_work(user),
        can_decide=item.can_decide(user, allow_same=current_app.config["SEP_ALLOW_SAME_RECOMMENDER_DECIDER"]),
        note_form=forms.get("note_form") or NoteForm(prefix="note"),
        dismiss_form=forms.get("dismiss_form") or ReasonForm(prefix="dis"),
        substantiate_form=forms.get("substantiate_form") or SubstantiateForm(prefix="sub"),
        evaluate_form=forms.get("evaluate_form") or EvaluateForm(prefix="eva"),
        deactivate_form=forms.get("deactivate_form") or DeactivateForm(prefix="dea"),
        confirm=ConfirmForm(), days_left=calendar.working_days_left,
    ), 422 if forms else 200


def _case_action(case_id: int, form_name: str, form: Any, run: Any, success: str) -> Any:
    _case(case_id)
    if form.validate_on_submit():
        try:
            run()
        except NotPermitted:
            db.session.rollback()
            abort(403)
        except ConflictError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("abuse.case", case_id=case_id))
        except DomainError as exc:
            db.session.rollback()
            if form_name == "_":  # a button without fields: the message goes on top of the page
                flash(exc.message, "danger")
                return redirect(url_for("abuse.case", case_id=case_id))
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("abuse.case", case_id=case_id))
    return case(case_id, **{form_name: form})


@bp.route("/kasus/<int:case_id>/ambil", methods=["POST"])
@require_role(VERIFIKATOR)
def case_assign(case_id: int) -> Any:
    return _case_action(case_id, "_", ConfirmForm(), lambda: ops.assign_case(
        db.session, case_id, current_actor(), now=clock.now()), _("The case is assigned to you."))


@bp.route("/kasus/<int:case_id>/catatan", methods=["POST"])
@require_role(*REVIEWERS)
def case_note(case_id: int) -> Any:
    form = NoteForm(prefix="note")
    return _case_action(case_id, "note_form", form, lambda: ops.add_note(
        db.session, case_id, current_actor(), form.note.data, now=clock.now()), _("The note was added."))


@bp.route("/kasus/<int:case_id>/tolak", methods=["POST"])
@require_role(VERIFIKATOR)
def case_dismiss(case_id: int) -> Any:
    form = ReasonForm(prefix="dis")
    return _case_action(case_id, "dismiss_form", form, lambda: ops.dismiss_case(
        db.session, case_id, current_actor(), reason=form.reason.data or "", now=clock.now()),
        _("The case was dismissed; the reporters are told."))


@bp.route("/kasus/<int:case_id>/benarkan", methods=["POST"])
@require_role(VERIFIKATOR)
def case_substantiate(case_id: int) -> Any:
    form = SubstantiateForm(prefix="sub")
    return _case_action(case_id, "substantiate_form", form, lambda: ops.substantiate_case(
        db.session, case_id, current_actor(), material=form.material.data or "", now=clock.now()),
        _("The misuse is substantiated; a pejabat decides next."))


@bp.route("/kasus/<int:case_id>/terbitkan", methods=["POST"])
@require_role(PEJABAT)
def case_warn(case_id: int) -> Any:
    return _case_action(case_id, "_", ConfirmForm(), lambda: ops.issue_warning(
        db.session, case_id, current_actor(), now=clock.now()),
        _("The warning letter was issued and sent, with its copy to the Sekretaris."))


@bp.route("/kasus/<int:case_id>/evaluasi", methods=["POST"])
@require_role(VERIFIKATOR)
def case_evaluate(case_id: int) -> Any:
    form = EvaluateForm(prefix="eva")
    item = _case(case_id)
    warning = item.current_warning
    if warning is None:
        raise NotFound()
    return _case_action(case_id, "evaluate_form", form, lambda: ops.evaluate_reply(
        db.session, warning.id, current_actor(), accept=form.decision.data == "accept", reason=form.reason.data or "",
        now=clock.now()), _("The reply was evaluated."))


@bp.route("/kasus/<int:case_id>/nonaktifkan", methods=["POST"])
@require_role(PEJABAT)
def case_deactivate(case_id: int) -> Any:
    form = DeactivateForm(prefix="dea")
    return _case_action(case_id, "deactivate_form", form, lambda: ops.decide_deactivation(
        db.session, case_id, current_actor(), permanent=bool(form.permanent.data), reason=form.reason.data or "",
        now=clock.now()), _("The account was deactivated."))


@bp.route("/kasus/<int:case_id>/bukti/<int:evidence_id>")
@require_role(*REVIEWERS)
def evidence(case_id: int, evidence_id: int) -> Any:
    _case(case_id)
    row = db.session.scalar(select(ReportEvidence).join(AbuseReport, AbuseReport.id == ReportEvidence.report_id)
                            .where(ReportEvidence.id == evidence_id, AbuseReport.case_id == case_id))
    if row is None:
        raise NotFound()
    return storage.send(row.file)


# -- the user's warnings -----------------------------------------------------------------------------

def _warning(warning_id: int) -> WarningLetter:
    warning = db.session.get(WarningLetter, warning_id)
    if warning is None or warning.user_id != current_user.id:
        raise NotFound()
    return warning


@bp.route("/peringatan")
@login_required
def my_warnings() -> Any:
    rows = db.session.scalars(select(WarningLetter).where(WarningLetter.user_id == current_user.id)
                              .order_by(WarningLetter.id.desc())).all()
    return render_template("abuse/my_warnings.html", rows=rows)


@bp.route("/peringatan/<int:warning_id>", methods=["GET", "POST"])
@login_required
def warning(warning_id: int) -> Any:
    item = _warning(warning_id)
    form = ReplyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            ops.reply_to_warning(db.session, item.id, current_actor(), text=form.text.data or "",
                                 files=request.files.getlist("files"), now=clock.now())
        except NotPermitted:
            abort(403)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            item = _warning(warning_id)
        else:
            db.session.commit()
            flash(_("Your reply was sent; a copy went to the Sekretaris of your body."), "success")
            return redirect(url_for("abuse.warning", warning_id=item.id))
    return render_template("abuse/warning.html", warning=item, case=item.case, form=form,
                           days_left=calendar.working_days_left(item.reply_due_at),
                           open=item.status == "issued" and clock.now() <= item.reply_due_at), (
        422 if form.errors else 200)


@bp.route("/peringatan/<int:warning_id>/lampiran/<int:file_id>")
@login_required
def reply_file(warning_id: int, file_id: int) -> Any:
    """An attachment of the reply: for the user, the reviewers and the Sekretaris of the body."""
    from sep_portal.abuse.models import ReplyFile

    item = db.session.get(WarningLetter, warning_id)
    if item is None or not _may_read_warning(item):
        raise NotFound()
    row = db.session.scalar(select(ReplyFile).where(ReplyFile.warning_id == item.id, ReplyFile.file_id == file_id))
    if row is None:
        raise NotFound()
    return storage.send(row.file)


def _may_read_warning(item: WarningLetter) -> bool:
    user = current_actor()
    return (item.user_id == user.id or (user.has_any_role(VERIFIKATOR, PEJABAT) and item.user_id != user.id)
            or (user.has_role(SEKRETARIS) and user.body_id is not None and user.body_id == item.body_id))


@bp.route("/peringatan/<int:warning_id>/surat")
@login_required
def warning_letter(warning_id: int) -> Any:
    item = db.session.get(WarningLetter, warning_id)
    if item is None:
        raise NotFound()
    if not _may_read_warning(item):
        raise NotFound()
    return storage.send(item.letter.file)


# -- reactivation --------------------------------------------------------------------------------------

@bp.route("/badan/reaktivasi", methods=["GET", "POST"])
@require_role(SEKRETARIS)
def reactivation_request() -> Any:
    user = current_actor()
    if user.body_id is None:
        abort(404)
    form = ReactivationForm()
    deactivated = db.session.scalars(select(User).where(User.body_id == user.body_id,
                                                        User.status == "deactivated").order_by(User.name)).all()
    form.user_id.choices = [("", _("— choose —"))] + [(u.id, f"{u.name} ({u.nip})") for u in deactivated]
    if request.method == "GET" and request.args.get("akun", type=int):
        form.user_id.data = request.args.get("akun", type=int)
    if form.validate_on_submit():
        try:
            ops.request_reactivation(db.session, user, form.user_id.data or 0, statement=form.statement.data or "",
                                     upload=form.letter.data, now=clock.now())
        except NotPermitted:
            abort(403)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("The request was sent to Ditjen Aptika; you will receive the decision by e-mail."), "success")
            return redirect(url_for("tenants.my_body"))
    requests = db.session.scalars(select(ReactivationRequest).where(ReactivationRequest.body_id == user.body_id)
                                  .order_by(ReactivationRequest.id.desc()).limit(20)).all()
    return render_template("abuse/reactivation_request.html", form=form, requests=requests,
                           deactivated=deactivated), 422 if form.errors else 200


@bp.route("/reaktivasi")
@require_role(PEJABAT)
def reactivations() -> Any:
    rows = db.session.scalars(select(ReactivationRequest).order_by(
        (ReactivationRequest.status == "pending").desc(), ReactivationRequest.id.desc()).limit(100)).all()
    return render_template("abuse/reactivations.html", rows=rows)


@bp.route("/reaktivasi/<int:request_id>", methods=["GET", "POST"])
@require_role(PEJABAT)
def reactivation(request_id: int) -> Any:
    item = db.session.get(ReactivationRequest, request_id)
    if item is None:
        raise NotFound()
    form = DecideForm()
    if form.validate_on_submit():
        try:
            ops.decide_reactivation(db.session, item.id, current_actor(), approve=form.decision.data == "approve",
                                    reason=form.reason.data or "", now=clock.now())
        except ConflictError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("The decision was recorded and sent."), "success")
            return redirect(url_for("abuse.reactivations"))
    cases = db.session.scalars(select(AbuseCase).where(AbuseCase.account_id == item.user_id)
                               .order_by(AbuseCase.id.desc())).all()
    return render_template("abuse/reactivation.html", item=item, form=form, cases=cases), 422 if form.errors else 200


@bp.route("/reaktivasi/<int:request_id>/surat")
@require_role(PEJABAT)
def reactivation_letter(request_id: int) -> Any:
    item = db.session.get(ReactivationRequest, request_id)
    if item is None or item.file is None:
        raise NotFound()
    return storage.send(item.file)


# -- operator: categories ----------------------------------------------------------------------------

@bp.route("/admin/kategori", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def categories() -> Any:
    form = CategoryForm()
    if form.validate_on_submit():
        code = form.code.data.lower().replace(" ", "_")
        if db.session.scalar(select(AbuseCategory.id).where(AbuseCategory.code == code)):
            form.code.errors = [_("This code is already used.")]
        else:
            category = AbuseCategory(code=code, name=form.name.data, description=form.description.data,
                                     legal_basis=form.legal_basis.data or None, builtin=False, active=True)
            db.session.add(category)
            db.session.flush()
            audit.record(db.session, current_actor(), "abuse.category_added", category, after={"code": code})
            db.session.commit()
            flash(_("The category was added."), "success")
            return redirect(url_for("abuse.categories"))
    rows = db.session.scalars(select(AbuseCategory).order_by(AbuseCategory.builtin.desc(), AbuseCategory.name)).all()
    window, needed = ops.strike_policy()
    return render_template("abuse/categories.html", form=form, rows=rows, confirm=ConfirmForm(), window=window,
                           needed=needed), 422 if form.errors else 200


@bp.route("/admin/kategori/<int:category_id>/<action>", methods=["POST"])
@require_role(SUPERADMIN)
def category_toggle(category_id: int, action: str) -> Any:
    category = db.session.get(AbuseCategory, category_id)
    if category is None or action not in ("aktifkan", "nonaktifkan") or not ConfirmForm().validate_on_submit():
        abort(404)
    category.active = action == "aktifkan"
    action_name = "abuse.category_" + ("enabled" if category.active else "disabled")
    audit.record(db.session, current_actor(), action_name, category)
    db.session.commit()
    return redirect(url_for("abuse.categories"))


@bp.app_template_global()
def reply_due_for(issued_at: datetime) -> datetime:
    return calendar.add_working_days(issued_at, current_app.config["SEP_REPLY_WORKING_DAYS"])


@bp.app_template_global()
def strike_policy() -> tuple[int, int]:
    return ops.strike_policy()
