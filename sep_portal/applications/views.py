"""Application pages: the Sekretaris applies and follows; verifiers and pejabat review and decide.
Views translate HTTP into operations, commit once, then redirect."""
from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from sep_portal.applications import bp, labels
from sep_portal.applications import operations as ops
from sep_portal.applications.forms import (
    ApplicationForm,
    ApproveForm,
    CompleteForm,
    LetterCheckForm,
    ProposeRejectionForm,
    RecommendForm,
    RejectForm,
    ReturnForm,
)
from sep_portal.applications.models import DOC_TYPES, REVIEWER_ROLES, Application, ApplicationDocument
from sep_portal.applications.queries import QueueFilter, applications_of, body_choices, review_queue
from sep_portal.core import clock, letters, storage
from sep_portal.core.actions import run_action
from sep_portal.core.errors import DomainError, NotPermitted
from sep_portal.core.forms import ConfirmForm, apply_error, end_of_day
from sep_portal.core.pagination import page_number, page_size
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, VERIFIKATOR, current_actor, require_role
from sep_portal.extensions import db, limit_from_config, limiter, talisman
from sep_portal.tenants.models import BODY_KINDS

KIND_LABELS = dict(ApplicationForm.proposed_body_kind.kwargs["choices"])  # type: ignore[attr-defined]


def _get(application_id: int) -> Application:
    """The application, or 404 for anyone who may not see it (no hint that it exists)."""
    application = db.session.get(Application, application_id)
    if application is None or not application.can_view(current_actor()):
        raise NotFound()
    return application


def _doc(application: Application, doc_id: int) -> ApplicationDocument:
    if not application.can_view_documents(current_actor()):
        raise NotFound()
    for doc in application.documents:
        if doc.id == doc_id:
            return doc
    raise NotFound()


# -- the applicant ------------------------------------------------------------------------------

@bp.route("/permohonan")
@require_role(SEKRETARIS)
def my_applications() -> Any:
    return render_template("applications/mine.html", applications=applications_of(db.session, current_user.id),
                           form=ConfirmForm())


@bp.route("/permohonan/baru", methods=["POST"])
@require_role(SEKRETARIS)
def create() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    application = ops.create_application(db.session, current_actor(), now=clock.now())
    db.session.commit()
    return redirect(url_for("applications.detail", application_id=application.id))


EDITABLE_FIELDS = ("body_id", "proposed_body_name", "proposed_body_kind", "admin_name", "admin_nip", "admin_email",
                   "admin_position", "identity_doc_type")


def _edit_form(application: Application, formdata: Any = None) -> ApplicationForm:
    return ApplicationForm(formdata=formdata, obj=None if formdata else application)


def _detail_page(application: Application, *, status: int = 200, **forms: Any) -> Any:
    user = current_actor()
    context: dict[str, Any] = {"application": application, "ops": ops, "confirm_form": ConfirmForm(),
                               "kind_labels": KIND_LABELS, "doc_types": DOC_TYPES,
                               "progress": labels.progress(application, user)}
    if application.can_edit(user):
        context["edit_form"] = forms.get("edit_form") or _edit_form(application)
        context["problems"] = forms.get("problems")
        context["body_groups"] = body_choices(db.session)
    if user.has_any_role(*REVIEWER_ROLES):
        context["return_form"] = forms.get("return_form") or ReturnForm(prefix="ret")
        context["complete_form"] = forms.get("complete_form") or CompleteForm(prefix="cpl")
        context["recommend_form"] = forms.get("recommend_form") or RecommendForm(prefix="rec")
        context["propose_form"] = forms.get("propose_form") or ProposeRejectionForm(prefix="prp")
        context["approve_form"] = forms.get("approve_form") or ApproveForm(prefix="apv")
        context["reject_form"] = forms.get("reject_form") or RejectForm(prefix="rej")
        context["can_verify"] = application.can_verify(user)
        context["can_decide"] = application.can_decide(
            user, allow_same=current_app.config["SEP_ALLOW_SAME_RECOMMENDER_DECIDER"])
        context["body_kind"] = application.body.kind if application.body else application.proposed_body_kind
        context["can_view_documents"] = application.can_view_documents(user)
    return render_template("applications/detail.html", **context), status


@bp.route("/permohonan/<int:application_id>")
@login_required
def detail(application_id: int) -> Any:
    return _detail_page(_get(application_id))


@bp.route("/permohonan/<int:application_id>/ubah", methods=["POST"])
@require_role(SEKRETARIS)
def save(application_id: int) -> Any:
    """The data and the documents in one form: a file chosen beside typed data never costs the data."""
    application = _get(application_id)
    if not application.can_edit(current_actor()):
        abort(403)
    form = ApplicationForm()  # the posted fields and files
    data = {name: getattr(form, name).data for name in EDITABLE_FIELDS}
    return run_action(
        lambda: ops.save_application(db.session, application, current_actor(), now=clock.now(),
                                     surat_kuasa=form.surat_kuasa.data, identity_file=form.identity_file.data,
                                     **data),
        form=form, render=_again(application_id, "edit_form"), success=_("Saved."),
        redirect_to=url_for("applications.detail", application_id=application_id) + "#data")


@bp.route("/permohonan/<int:application_id>/ajukan", methods=["POST"])
@require_role(SEKRETARIS)
def submit(application_id: int) -> Any:
    application = _get(application_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.submit_application(db.session, application, current_actor(), now=clock.now())
    except NotPermitted:
        abort(403)
    except ops.SubmissionIncomplete as exc:
        db.session.rollback()  # the list of what is missing, shown beside the documents
        return _detail_page(db.session.get(Application, application_id), status=422, problems=exc.problems)
    db.session.commit()
    flash(_("Your application was submitted. You will receive an e-mail at each step."), "success")
    return redirect(url_for("applications.detail", application_id=application.id))


@bp.route("/permohonan/<int:application_id>/tarik", methods=["POST"])
@require_role(SEKRETARIS)
def withdraw(application_id: int) -> Any:
    application = _get(application_id)
    return run_action(lambda: ops.withdraw_application(db.session, application, current_actor(), now=clock.now()),
                      success=_("The application was withdrawn."),
                      redirect_to=url_for("applications.detail", application_id=application_id))


# -- documents ------------------------------------------------------------------------------------

@bp.route("/permohonan/<int:application_id>/dokumen/<int:doc_id>")
@login_required
def download(application_id: int, doc_id: int) -> Any:
    return storage.send(_doc(_get(application_id), doc_id).file)


@bp.route("/permohonan/<int:application_id>/dokumen/<int:doc_id>/pratinjau")
@require_role(VERIFIKATOR, PEJABAT)
@talisman(frame_options="SAMEORIGIN",
          content_security_policy={"default-src": "'none'", "img-src": "'self'", "style-src": "'self'",
                                   "frame-ancestors": "'self'", "base-uri": "'none'", "form-action": "'none'"})
def preview(application_id: int, doc_id: int) -> Any:
    doc = _doc(_get(application_id), doc_id)
    return render_template("applications/preview.html", application_id=application_id, doc=doc,
                           pages=storage.preview_pages(doc.file))


@bp.route("/permohonan/<int:application_id>/dokumen/<int:doc_id>/halaman/<int:page>.png")
@require_role(VERIFIKATOR, PEJABAT)
def preview_page(application_id: int, doc_id: int, page: int) -> Any:
    doc = _doc(_get(application_id), doc_id)
    try:
        png = storage.preview_png(doc.file, page)
    except IndexError:
        raise NotFound() from None
    response = current_app.response_class(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/permohonan/<int:application_id>/surat")
@login_required
def letter(application_id: int) -> Any:
    application = db.session.get(Application, application_id)
    if application is None or not application.can_view_letter(current_actor()):
        raise NotFound()
    if application.letter is None or application.letter.file is None:
        raise NotFound()
    return storage.send(application.letter.file)


# -- reviewers ------------------------------------------------------------------------------------


@bp.route("/antrean")
@require_role(*REVIEWER_ROLES)
def queue() -> Any:
    args = request.args
    flt = QueueFilter(status=args.get("status", "open"), kind=args.get("kind", ""),
                      due_before=end_of_day(args.get("due_before")), overdue=args.get("overdue") == "1")
    page = page_number()
    result = review_queue(db.session, flt, now=clock.now(), page=page,
                          per_page=page_size())
    return render_template("applications/queue.html", result=result, flt=flt, kinds=BODY_KINDS,
                           kind_labels=KIND_LABELS, ops=ops, args=args)


def _again(application_id: int, form_name: str) -> Any:
    """Show the application again with ``form`` and its errors (re-read: the failed action rolled back)."""
    return lambda form, status: _detail_page(db.session.get(Application, application_id), status=status,
                                             **{form_name: form})


def _review_action(application_id: int, form_name: str, form: Any, run: Any, success: str) -> Any:
    application = _get(application_id)
    return run_action(lambda: run(application), form=form, render=_again(application_id, form_name),
                      success=success, redirect_to=url_for("applications.detail", application_id=application_id))


@bp.route("/permohonan/<int:application_id>/kembalikan", methods=["POST"])
@require_role(VERIFIKATOR)
def return_(application_id: int) -> Any:
    form = ReturnForm(prefix="ret")
    return _review_action(application_id, "return_form", form, lambda a: ops.return_for_completion(
        db.session, a, current_actor(), missing=form.missing.data or [], message=form.message.data or "",
        now=clock.now()),
        _("The application was returned to the applicant."))


@bp.route("/permohonan/<int:application_id>/lengkap", methods=["POST"])
@require_role(VERIFIKATOR)
def complete(application_id: int) -> Any:
    form = CompleteForm(prefix="cpl")
    return _review_action(application_id, "complete_form", form, lambda a: ops.declare_complete(
        db.session, a, current_actor(), now=clock.now(), confirm_body=bool(form.confirm_body.data)),
        _("The application was declared complete. The decision is due in 4 working days."))


@bp.route("/permohonan/<int:application_id>/rekomendasi", methods=["POST"])
@require_role(VERIFIKATOR)
def recommend(application_id: int) -> Any:
    form = RecommendForm(prefix="rec")
    return _review_action(application_id, "recommend_form", form, lambda a: ops.recommend(
        db.session, a, current_actor(), recommendation=form.recommendation.data, grounds=form.grounds.data or [],
        note=form.note.data or "", now=clock.now()), _("Your recommendation was recorded."))


@bp.route("/permohonan/<int:application_id>/usul-tolak", methods=["POST"])
@require_role(VERIFIKATOR)
def propose_rejection(application_id: int) -> Any:
    form = ProposeRejectionForm(prefix="prp")
    return _review_action(application_id, "propose_form", form, lambda a: ops.recommend(
        db.session, a, current_actor(), recommendation="reject", grounds=form.grounds.data or [],
        note=form.note.data or "", now=clock.now()),
        _("The rejection was proposed; a pejabat decides."))


@bp.route("/permohonan/<int:application_id>/setujui", methods=["POST"])
@require_role(PEJABAT)
def approve(application_id: int) -> Any:
    form = ApproveForm(prefix="apv")
    return _review_action(application_id, "approve_form", form, lambda a: ops.approve_application(
        db.session, a.id, current_actor(), reason=form.reason.data or "", now=clock.now()),
        _("The application was approved. The decision letter was issued and the Admin Pengelola invited."))


@bp.route("/permohonan/<int:application_id>/tolak", methods=["POST"])
@require_role(PEJABAT)
def reject(application_id: int) -> Any:
    form = RejectForm(prefix="rej")
    return _review_action(application_id, "reject_form", form, lambda a: ops.reject_application(
        db.session, a.id, current_actor(), grounds=form.grounds.data or [], reason=form.reason.data or "",
        now=clock.now()),
        _("The application was rejected and the rejection letter issued."))


# -- public letter verification -------------------------------------------------------------------

_letter_check_limit = limit_from_config("SEP_LETTER_CHECK_RATE_LIMIT")


@bp.route("/surat/<code>", methods=["GET", "POST"])
@limiter.limit(_letter_check_limit, methods=["POST"])
def verify_letter(code: str) -> Any:
    """Anyone holding a letter checks it: the registered facts, and whether the PDF they drop
    here is the very document (its SHA-256 against the one recorded at issue)."""
    letter = letters.by_verify_code(db.session, code)
    form = LetterCheckForm()
    if letter is None:
        return render_template("applications/letter_verify.html", letter=None, form=form), 404
    match, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                match = secrets.compare_digest(storage.sha256_of_upload(form.file.data), letter.sha256 or "")
            except DomainError as exc:
                apply_error(form, exc)
                status = 422
        else:
            status = 422
    return render_template("applications/letter_verify.html", letter=letter, form=form, match=match), status

