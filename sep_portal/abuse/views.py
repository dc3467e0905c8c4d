"""Misuse pages: reporting (/lapor), the case queue (/kasus), the user's warnings (/peringatan),
reactivation (/badan/reaktivasi, /reaktivasi) and the operator's categories (/admin/kategori).
Views translate HTTP into operations (through ``run_action``) and queries; no SQL here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from sep_portal.abuse import bp, queries
from sep_portal.abuse import labels as _labels  # noqa: F401  (registers the status filters)
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
from sep_portal.abuse.models import AbuseCase, AbuseCategory, ReactivationRequest, WarningLetter
from sep_portal.core import calendar, clock, storage
from sep_portal.core.actions import run_action
from sep_portal.core.errors import DomainError
from sep_portal.core.forms import ConfirmForm, end_of_day
from sep_portal.core.pagination import page_number, page_size
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, SUPERADMIN, VERIFIKATOR, current_actor, require_role
from sep_portal.extensions import db, limit_from_config, limiter, per_person


def _categories() -> list[tuple[int | str, str]]:
    return [("", _("— choose —"))] + [(c.id, c.name) for c in queries.categories(db.session, active_only=True)]


# -- reporting -----------------------------------------------------------------------------------

_report_limit = limit_from_config("SEP_REPORT_RATE_LIMIT")


def _report_page(public: bool) -> Any:
    return lambda form, status: (render_template("abuse/report.html", form=form, public=public), status)


@bp.route("/lapor", methods=["GET", "POST"])
@login_required
@limiter.limit(_report_limit, methods=["POST"], key_func=per_person)
def report() -> Any:
    form = ReportForm()
    form.category_id.choices = _categories()
    if request.method == "GET":
        if request.args.get("akun"):
            form.target.data = request.args["akun"][:254]
        return _report_page(public=False)(form, 200)
    # The answer is the same page whether or not the account exists.
    return run_action(
        lambda: ops.report_account(db.session, current_actor(), target=form.target.data or "",
                                   category_id=form.category_id.data, description=form.description.data or "",
                                   files=request.files.getlist("files"), now=clock.now()),
        form=form, render=_report_page(public=False),
        redirect_to=lambda sent: url_for("abuse.report_sent", laporan=sent.reference))


@bp.route("/lapor/terkirim")
def report_sent() -> Any:
    """The thanks after a report (``?publik=1``: check your e-mail; ``?dikonfirmasi=1``: confirmed),
    with its reference (``?laporan=``) when it is the signed-in person's own report."""
    sent = None
    if request.args.get("laporan") and current_user.is_authenticated:
        sent = queries.own_report(db.session, current_actor().id, request.args["laporan"][:40])
    return render_template("abuse/report_sent.html", public=request.args.get("publik") == "1",
                           confirmed=request.args.get("dikonfirmasi") == "1", sent=sent)


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
    if request.method == "GET":
        return _report_page(public=True)(form, 200)
    return run_action(
        lambda: ops.report_publicly(db.session, email=form.email.data, target=form.target.data or "",
                                    category_id=form.category_id.data, description=form.description.data or "",
                                    now=clock.now()),
        form=form, render=_report_page(public=True), redirect_to=url_for("abuse.report_sent", publik="1"))


@bp.route("/lapor/verifikasi/<token>", methods=["GET", "POST"])
def report_public_confirm(token: str) -> Any:
    """Not ``run_action``: an e-mailed link that cannot be claimed is the link-problem page (400),
    as for every e-mailed link of the portal (auth/views.py), not a message on a form."""
    _public_enabled()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            sent, status_token = ops.confirm_public_report(db.session, token, clock.now())
        except DomainError as exc:
            db.session.rollback()
            return render_template("auth/link_problem.html", message=exc.message), 400
        db.session.commit()
        # The status link is shown once here (and e-mailed): it is never in an address of ours.
        return render_template("abuse/report_sent.html", confirmed=True, sent=sent,
                               status_url=current_app.config["SEP_BASE_URL"].rstrip("/")
                               + url_for("abuse.report_status", token=status_token))
    return render_template("abuse/confirm_report.html", form=form)


# -- the reporter follows the report ------------------------------------------------------------------

@bp.route("/lapor/saya")
@login_required
def my_reports() -> Any:
    return render_template("abuse/my_reports.html",
                           result=queries.reports_of(db.session, current_actor().id, page=page_number(),
                                                     per_page=page_size()))


@bp.route("/lapor/saya/<reference>")
@login_required
def my_report(reference: str) -> Any:
    """One of my reports; anyone else's reference is a 404, as one that does not exist."""
    item = queries.own_report(db.session, current_actor().id, reference[:40])
    if item is None:
        raise NotFound()
    return render_template("abuse/my_report.html", report=item)


@bp.route("/lapor/status/<token>")
def report_status(token: str) -> Any:
    """A public report's status, for whoever holds its private link (no sign-in: the reporter has
    no account)."""
    item = queries.report_by_status_token(db.session, token)
    if item is None:
        return render_template("errors/error.html", code=404, title=_("Status link not valid"),
                               message=_("This link does not open the status of a report. Copy the whole link from "
                                         "the e-mail we sent after you confirmed the report.")), 404
    return render_template("abuse/report_status.html", report=item)


# -- the case queue --------------------------------------------------------------------------------

REVIEWERS = (VERIFIKATOR, PEJABAT)



@bp.route("/kasus")
@require_role(*REVIEWERS)
def cases() -> Any:
    args = request.args
    user = current_actor()
    flt = queries.CaseFilter(status=args.get("status", "open"), category_id=args.get("category", type=int),
                             body_code=args.get("body", "").strip(),
                             opened_before=end_of_day(args.get("opened_before")),
                             assigned_to_id=user.id if args.get("mine") == "1" else None,
                             reference=args.get("q", "")[:40])
    result = queries.case_queue(db.session, flt, reviewer_id=user.id, page=page_number(), per_page=page_size())
    return render_template("abuse/cases.html", result=result,
                           report_counts=queries.report_counts(db.session, [c.id for c in result]),
                           categories=queries.categories_by_name(db.session), args=args, status=flt.status)


def _case(case_id: int) -> AbuseCase:
    case = db.session.get(AbuseCase, case_id)
    if case is None or not case.can_view(current_actor()):
        raise NotFound()
    return case


def _case_page(item: AbuseCase, *, status: int = 200, **forms: Any) -> Any:
    window, needed = ops.strike_policy()
    user = current_actor()
    return render_template(
        "abuse/case.html", case=item, history=queries.cases_of_account(db.session, item.account_id,
                                                                       except_case_id=item.id),
        strikes=queries.strikes_of(db.session, item.account_id), window=window, needed=needed,
        recent_strikes=ops.strikes_in_window(db.session, item.account_id, clock.now()),
        can_work=item.can_work(user),
        can_decide=item.can_decide(user, allow_same=current_app.config["SEP_ALLOW_SAME_RECOMMENDER_DECIDER"]),
        note_form=forms.get("note_form") or NoteForm(prefix="note"),
        dismiss_form=forms.get("dismiss_form") or ReasonForm(prefix="dis"),
        substantiate_form=forms.get("substantiate_form") or SubstantiateForm(prefix="sub"),
        evaluate_form=forms.get("evaluate_form") or EvaluateForm(prefix="eva"),
        deactivate_form=forms.get("deactivate_form") or DeactivateForm(prefix="dea"),
        confirm=ConfirmForm(), days_left=calendar.working_days_left,
    ), status


@bp.route("/kasus/<int:case_id>")
@require_role(*REVIEWERS)
def case(case_id: int) -> Any:
    return _case_page(_case(case_id))


def _again(case_id: int, form_name: str) -> Any:
    """Show the case again with ``form`` and its errors (re-read: the failed action rolled back)."""
    return lambda form, status: _case_page(_case(case_id), status=status, **{form_name: form})


def _case_url(case_id: int) -> str:
    return url_for("abuse.case", case_id=case_id)


@bp.route("/kasus/<int:case_id>/ambil", methods=["POST"])
@require_role(VERIFIKATOR)
def case_assign(case_id: int) -> Any:
    _case(case_id)
    return run_action(lambda: ops.assign_case(db.session, case_id, current_actor(), now=clock.now()),
                      success=_("The case is assigned to you."), redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/catatan", methods=["POST"])
@require_role(*REVIEWERS)
def case_note(case_id: int) -> Any:
    form = NoteForm(prefix="note")
    _case(case_id)
    return run_action(lambda: ops.add_note(db.session, case_id, current_actor(), form.note.data, now=clock.now()),
                      form=form, render=_again(case_id, "note_form"), success=_("The note was added."),
                      redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/tolak", methods=["POST"])
@require_role(VERIFIKATOR)
def case_dismiss(case_id: int) -> Any:
    form = ReasonForm(prefix="dis")
    _case(case_id)
    return run_action(lambda: ops.dismiss_case(db.session, case_id, current_actor(), reason=form.reason.data or "",
                                               now=clock.now()),
                      form=form, render=_again(case_id, "dismiss_form"),
                      success=_("The case was dismissed; the reporters are told."), redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/benarkan", methods=["POST"])
@require_role(VERIFIKATOR)
def case_substantiate(case_id: int) -> Any:
    form = SubstantiateForm(prefix="sub")
    _case(case_id)
    return run_action(lambda: ops.substantiate_case(db.session, case_id, current_actor(),
                                                    material=form.material.data or "", now=clock.now()),
                      form=form, render=_again(case_id, "substantiate_form"),
                      success=_("The misuse is substantiated; a pejabat decides next."), redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/terbitkan", methods=["POST"])
@require_role(PEJABAT)
def case_warn(case_id: int) -> Any:
    _case(case_id)
    return run_action(lambda: ops.issue_warning(db.session, case_id, current_actor(), now=clock.now()),
                      success=_("The warning letter was issued and sent, with its copy to the Sekretaris."),
                      redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/evaluasi", methods=["POST"])
@require_role(VERIFIKATOR)
def case_evaluate(case_id: int) -> Any:
    form = EvaluateForm(prefix="eva")
    warning = _case(case_id).current_warning
    if warning is None:
        raise NotFound()
    return run_action(lambda: ops.evaluate_reply(
        db.session, warning.id, current_actor(), accept=form.decision.data == "accept", reason=form.reason.data or "",
        now=clock.now()), form=form, render=_again(case_id, "evaluate_form"), success=_("The reply was evaluated."),
        redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/nonaktifkan", methods=["POST"])
@require_role(PEJABAT)
def case_deactivate(case_id: int) -> Any:
    form = DeactivateForm(prefix="dea")
    _case(case_id)
    return run_action(lambda: ops.decide_deactivation(
        db.session, case_id, current_actor(), permanent=bool(form.permanent.data), reason=form.reason.data or "",
        now=clock.now()), form=form, render=_again(case_id, "deactivate_form"),
        success=_("The account was deactivated."), redirect_to=_case_url(case_id))


@bp.route("/kasus/<int:case_id>/bukti/<int:evidence_id>")
@require_role(*REVIEWERS)
def evidence(case_id: int, evidence_id: int) -> Any:
    _case(case_id)
    row = queries.evidence_of_case(db.session, case_id, evidence_id)
    if row is None:
        raise NotFound()
    return storage.send(row.file)


# -- the user's warnings -----------------------------------------------------------------------------

def _own_warning(warning_id: int) -> WarningLetter:
    warning = db.session.get(WarningLetter, warning_id)
    if warning is None or warning.user_id != current_actor().id:
        raise NotFound()
    return warning


def _readable_warning(warning_id: int) -> WarningLetter:
    """The letter for whoever may read it (``WarningLetter.can_read``), else 404."""
    warning = db.session.get(WarningLetter, warning_id)
    if warning is None or not warning.can_read(current_actor()):
        raise NotFound()
    return warning


@bp.route("/peringatan")
@login_required
def my_warnings() -> Any:
    return render_template("abuse/my_warnings.html", rows=queries.warnings_of(db.session, current_actor().id))


def _warning_page(warning_id: int) -> Any:
    def page(form: ReplyForm, status: int) -> Any:
        item = _own_warning(warning_id)  # re-read: a refused reply rolled back
        return render_template("abuse/warning.html", warning=item, case=item.case, form=form,
                               days_left=calendar.working_days_left(item.reply_due_at),
                               open=item.status == "issued" and clock.now() <= item.reply_due_at), status
    return page


@bp.route("/peringatan/<int:warning_id>", methods=["GET", "POST"])
@login_required
def warning(warning_id: int) -> Any:
    item = _own_warning(warning_id)
    form = ReplyForm()
    if request.method == "GET":
        return _warning_page(warning_id)(form, 200)
    return run_action(
        lambda: ops.reply_to_warning(db.session, item.id, current_actor(), text=form.text.data or "",
                                     files=request.files.getlist("files"), now=clock.now()),
        form=form, render=_warning_page(warning_id),
        success=_("Your reply was sent; a copy went to the Sekretaris of your body."),
        redirect_to=url_for("abuse.warning", warning_id=warning_id))


@bp.route("/peringatan/<int:warning_id>/lampiran/<int:file_id>")
@login_required
def reply_file(warning_id: int, file_id: int) -> Any:
    """An attachment of the reply: for the user, the reviewers and the Sekretaris of the body."""
    row = queries.reply_file(db.session, _readable_warning(warning_id).id, file_id)
    if row is None:
        raise NotFound()
    return storage.send(row.file)


@bp.route("/peringatan/<int:warning_id>/surat")
@login_required
def warning_letter(warning_id: int) -> Any:
    return storage.send(_readable_warning(warning_id).letter.file)


# -- reactivation --------------------------------------------------------------------------------------

@bp.route("/badan/reaktivasi", methods=["GET", "POST"])
@require_role(SEKRETARIS)
def reactivation_request() -> Any:
    user = current_actor()
    if user.body_id is None:
        abort(404)
    body_id = user.body_id
    form = ReactivationForm()
    deactivated = queries.deactivated_accounts(db.session, body_id)
    form.user_id.choices = [("", _("— choose —"))] + [(u.id, f"{u.name} ({u.nip})") for u in deactivated]

    def page(form: ReactivationForm, status: int) -> Any:
        return render_template("abuse/reactivation_request.html", form=form,
                               requests=queries.requests_of_body(db.session, body_id),
                               deactivated=deactivated), status

    if request.method == "GET":
        if request.args.get("akun", type=int):
            form.user_id.data = request.args.get("akun", type=int)
        return page(form, 200)
    return run_action(
        lambda: ops.request_reactivation(db.session, user, form.user_id.data or 0, statement=form.statement.data or "",
                                         upload=form.letter.data, now=clock.now()),
        form=form, render=page, redirect_to=url_for("tenants.my_body"),
        success=_("The request was sent to Ditjen Aptika; you will receive the decision by e-mail."))


@bp.route("/reaktivasi")
@require_role(PEJABAT)
def reactivations() -> Any:
    return render_template("abuse/reactivations.html", rows=queries.reactivation_requests(db.session))


def _request(request_id: int) -> ReactivationRequest:
    item = db.session.get(ReactivationRequest, request_id)
    if item is None:
        raise NotFound()
    return item


@bp.route("/reaktivasi/<int:request_id>", methods=["GET", "POST"])
@require_role(PEJABAT)
def reactivation(request_id: int) -> Any:
    item = _request(request_id)
    form = DecideForm()

    def page(form: DecideForm, status: int) -> Any:
        item = _request(request_id)
        return render_template("abuse/reactivation.html", item=item, form=form,
                               cases=queries.cases_of_account(db.session, item.user_id)), status

    if request.method == "GET":
        return page(form, 200)
    return run_action(
        lambda: ops.decide_reactivation(db.session, item.id, current_actor(), approve=form.decision.data == "approve",
                                        reason=form.reason.data or "", now=clock.now()),
        form=form, render=page, success=_("The decision was recorded and sent."),
        redirect_to=url_for("abuse.reactivations"))


@bp.route("/reaktivasi/<int:request_id>/surat")
@require_role(PEJABAT)
def reactivation_letter(request_id: int) -> Any:
    item = _request(request_id)
    if item.file is None:
        raise NotFound()
    return storage.send(item.file)


# -- operator: categories ----------------------------------------------------------------------------

def _categories_page(form: CategoryForm, status: int) -> Any:
    window, needed = ops.strike_policy()
    return render_template("abuse/categories.html", form=form, rows=queries.categories(db.session),
                           confirm=ConfirmForm(), window=window, needed=needed), status


@bp.route("/admin/kategori", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def categories() -> Any:
    form = CategoryForm()
    if request.method == "GET":
        return _categories_page(form, 200)
    return run_action(
        lambda: ops.add_category(db.session, current_actor(), code=form.code.data, name=form.name.data,
                                 description=form.description.data, legal_basis=form.legal_basis.data),
        form=form, render=_categories_page, success=_("The category was added."),
        redirect_to=url_for("abuse.categories"))


@bp.route("/admin/kategori/<int:category_id>/<action>", methods=["POST"])
@require_role(SUPERADMIN)
def category_toggle(category_id: int, action: str) -> Any:
    category = db.session.get(AbuseCategory, category_id)
    if category is None or action not in ("aktifkan", "nonaktifkan"):
        abort(404)
    return run_action(lambda: ops.set_category_active(db.session, current_actor(), category,
                                                      active=action == "aktifkan"),
                      redirect_to=url_for("abuse.categories"))


@bp.app_template_global()
def reply_due_for(issued_at: datetime) -> datetime:
    return calendar.add_working_days(issued_at, current_app.config["SEP_REPLY_WORKING_DAYS"])


@bp.app_template_global()
def strike_policy() -> tuple[int, int]:
    return ops.strike_policy()
