"""Tenant pages: the Admin Pengelola's accounts and imports (/pengelola), the Sekretaris' view of
its body (/badan) and Ditjen's view of all tenants (/ditjen/badan). Views translate HTTP into
operations (through ``run_action``) and queries; no SQL here, and every tenant-owned object is
looked up through its ``get_for_tenant``."""
from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from sep_portal.accounts.models import User
from sep_portal.applications import operations as app_ops
from sep_portal.core import clock, exports, storage
from sep_portal.core.actions import run_action
from sep_portal.core.errors import NotPermitted
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.letters import Letter
from sep_portal.core.pagination import page_number, page_size
from sep_portal.core.permissions import (
    ADMIN_PENGELOLA,
    PEJABAT,
    SEKRETARIS,
    SUPERADMIN,
    VERIFIKATOR,
    current_actor,
    require_role,
)
from sep_portal.extensions import db
from sep_portal.tenants import bp, importer, queries
from sep_portal.tenants import labels as _labels  # noqa: F401  (registers the label filters)
from sep_portal.tenants import operations as ops
from sep_portal.tenants.forms import (
    AccountForm,
    DecisionNoteForm,
    HandoverDecisionForm,
    HandoverForm,
    ImportForm,
    ReasonForm,
)
from sep_portal.tenants.labels import BODY_KIND_LABELS
from sep_portal.tenants.models import AccountImport, Body, SekretarisHandover, TembusanCopy


def _tenant() -> Body:
    try:
        return ops.admin_tenant(db.session, current_actor())
    except NotPermitted:
        abort(403)


def _account(account_id: int, body: Body) -> User:
    """Another tenant's account, or one the admin does not manage, is simply not found."""
    account = User.get_for_tenant(db.session, account_id, body.id)
    if not ops.is_managed(account, body, current_actor()):
        raise NotFound()
    return account


# -- the Admin Pengelola: accounts ----------------------------------------------------------------

@bp.route("/pengelola/akun")
@require_role(ADMIN_PENGELOLA)
def accounts() -> Any:
    body = _tenant()
    q, status = request.args.get("q", "")[:100], request.args.get("status", "")
    page = queries.tenant_accounts(db.session, body.id, q=q, status=status, cursor=request.args.get("setelah"),
                                   limit=page_size())
    return render_template("tenants/accounts.html", body=body, page=page, q=q, status=status,
                           counts=queries.status_counts(db.session, body.id), ops=ops)


def _account_form_page(body: Body, account: User | None = None) -> Any:
    """The new-account form or an account's page again, with the form's errors."""
    def render(form: AccountForm, status: int) -> Any:
        if account is None:
            return render_template("tenants/account_form.html", form=form, body=body, account=None), status
        return render_template("tenants/account.html", body=body, account=account, form=form,
                               status_form=ReasonForm(), confirm=ConfirmForm()), status

    return render


def _status_form_page(body: Body, account: User) -> Any:
    """An account's page again after a refused disable/enable, the reason form with its errors."""
    def render(form: ReasonForm, status: int) -> Any:
        return render_template("tenants/account.html", body=body, account=account, form=AccountForm(obj=account),
                               status_form=form, confirm=ConfirmForm()), status

    return render


@bp.route("/pengelola/akun/baru", methods=["GET", "POST"])
@require_role(ADMIN_PENGELOLA)
def account_new() -> Any:
    body = _tenant()
    form = AccountForm()
    if request.method == "GET":
        return _account_form_page(body)(form, 200)
    return run_action(
        lambda: ops.create_account(db.session, current_actor(), body, name=form.name.data, nip=form.nip.data,
                                   email=form.email.data, unit=form.unit.data, position=form.position.data,
                                   now=clock.now()),
        form=form, render=_account_form_page(body),
        success=_("The account was created and the activation link sent."),
        redirect_to=lambda account: url_for("tenants.account", account_id=account.id))


@bp.route("/pengelola/akun/<int:account_id>")
@require_role(ADMIN_PENGELOLA)
def account(account_id: int) -> Any:
    body = _tenant()
    account = _account(account_id, body)
    return _account_form_page(body, account)(AccountForm(obj=account), 200)


@bp.route("/pengelola/akun/<int:account_id>/ubah", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_edit(account_id: int) -> Any:
    body = _tenant()
    account = _account(account_id, body)
    form = AccountForm()
    return run_action(
        lambda: ops.update_account(db.session, current_actor(), body, account, name=form.name.data,
                                   email=form.email.data, unit=form.unit.data, position=form.position.data,
                                   nip=form.nip.data, now=clock.now()),
        form=form, render=_account_form_page(body, account), success=_("Saved."),
        redirect_to=url_for("tenants.account", account_id=account_id))


def _account_action(account_id: int, action: Any, success: str) -> Any:
    body = _tenant()
    account = _account(account_id, body)
    return run_action(lambda: action(db.session, current_actor(), body, account, now=clock.now()),
                      success=success, redirect_to=url_for("tenants.account", account_id=account_id))


def _account_status_action(account_id: int, action: Any, success: str) -> Any:
    """Disable or enable an account: a reason is required, recorded and told to the person."""
    body = _tenant()
    account = _account(account_id, body)
    form = ReasonForm()
    return run_action(lambda: action(db.session, current_actor(), body, account, reason=form.reason.data,
                                     now=clock.now()),
                      form=form, render=_status_form_page(body, account), success=success,
                      redirect_to=url_for("tenants.account", account_id=account_id))


@bp.route("/pengelola/akun/<int:account_id>/nonaktifkan", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_disable(account_id: int) -> Any:
    return _account_status_action(account_id, ops.disable_account,
                                  _("The account is disabled: it cannot sign in and its sessions have ended."))


@bp.route("/pengelola/akun/<int:account_id>/aktifkan", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_enable(account_id: int) -> Any:
    return _account_status_action(account_id, ops.enable_account, _("The account is enabled again."))


@bp.route("/pengelola/akun/<int:account_id>/kirim-aktivasi", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_resend(account_id: int) -> Any:
    return _account_action(account_id, ops.resend_activation, _("A new activation link was sent."))


@bp.route("/pengelola/akun/<int:account_id>/reset-2fa", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_reset_totp(account_id: int) -> Any:
    return _account_action(account_id, ops.reset_totp,
                           _("Two-step verification was reset; the person sets it up again at the next sign-in."))


@bp.route("/pengelola/akun/ekspor.<fmt>")
@require_role(ADMIN_PENGELOLA)
def accounts_export(fmt: str) -> Any:
    body = _tenant()
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    ops.record_export(db.session, current_actor(), body, fmt=fmt)
    db.session.commit()
    filename = f"akun-{body.code or body.id}-{clock.to_wib(clock.now()):%Y%m%d}.{fmt}"
    if fmt == "csv":
        def rows() -> Any:
            with db.new_session() as session:
                yield from importer.export_rows(session, body.id)

        lines = exports.csv_lines(rows(), importer.EXPORT_COLUMNS)
        response = Response(stream_with_context(lines), mimetype="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    path = storage.work_path(".xlsx")
    with db.new_session() as session:
        exports.xlsx_file(importer.export_rows(session, body.id), importer.EXPORT_COLUMNS, path)
    response = send_file(path, mimetype=storage.KINDS["xlsx"], as_attachment=True, download_name=filename,
                         max_age=0)
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


# -- the Admin Pengelola: imports -----------------------------------------------------------------

@bp.route("/pengelola/impor/templat.<fmt>")
@require_role(ADMIN_PENGELOLA)
def import_template(fmt: str) -> Any:
    if fmt == "csv":
        content = "".join(exports.csv_lines(iter([list(importer.TEMPLATE_EXAMPLE)]), importer.COLUMNS))
        response = Response(content, mimetype="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="templat-impor-akun.csv"'
        return response
    if fmt == "xlsx":
        path = storage.work_path(".xlsx")
        exports.xlsx_file(iter([list(importer.TEMPLATE_EXAMPLE)]), importer.COLUMNS, path)
        response = send_file(path, mimetype=storage.KINDS["xlsx"], as_attachment=True,
                             download_name="templat-impor-akun.xlsx", max_age=0)
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response
    raise NotFound()


def _in_background(job: AccountImport, phase: str) -> str:
    """Start the job's phase, then its page. ``run_action`` calls this after its commit: the
    worker must see the job it is given."""
    importer.start(current_app._get_current_object(), job.id, phase)
    return url_for("tenants.import_job", job_id=job.id)


@bp.route("/pengelola/impor", methods=["GET", "POST"])
@require_role(ADMIN_PENGELOLA)
def imports() -> Any:
    body = _tenant()
    if request.method == "POST":
        # An import file may be larger than a document upload; still refused before it is read.
        request.max_content_length = current_app.config["SEP_MAX_IMPORT_BYTES"] + 64 * 1024
    form = ImportForm()

    def page(form: ImportForm, status: int) -> Any:
        return render_template("tenants/imports.html", body=body, form=form,
                               jobs=queries.imports_of(db.session, body.id)), status

    if request.method == "GET":
        return page(form, 200)
    return run_action(
        lambda: ops.upload_import(db.session, current_actor(), body, form.file.data,
                                  max_bytes=current_app.config["SEP_MAX_IMPORT_BYTES"], now=clock.now()),
        form=form, render=page, redirect_to=lambda job: _in_background(job, "check"))


def _job(job_id: int, body: Body) -> AccountImport:
    return AccountImport.get_for_tenant(db.session, job_id, body.id)


@bp.route("/pengelola/impor/<int:job_id>")
@require_role(ADMIN_PENGELOLA)
def import_job(job_id: int) -> Any:
    body = _tenant()
    job = _job(job_id, body)
    return render_template("tenants/import_job.html", body=body, job=job,
                           problems=queries.import_problems(db.session, job),
                           done=importer.progress_of(job), confirm=ConfirmForm())


@bp.route("/pengelola/impor/<int:job_id>/jalankan", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def import_run(job_id: int) -> Any:
    body = _tenant()
    job = _job(job_id, body)
    return run_action(lambda: ops.start_import(db.session, current_actor(), job),
                      redirect_to=lambda job: _in_background(job, "import"),
                      back=url_for("tenants.import_job", job_id=job.id))


@bp.route("/pengelola/impor/<int:job_id>/laporan")
@require_role(ADMIN_PENGELOLA)
def import_report(job_id: int) -> Any:
    body = _tenant()
    job = _job(job_id, body)
    if job.report_file_id is None:
        raise NotFound()
    return storage.send(db.session.get(storage.StoredFile, job.report_file_id))


# -- the Sekretaris: its body ------------------------------------------------------------------------

def _sekretaris_body() -> Body:
    user = current_actor()
    if user.body_id is None:
        abort(404)
    body = db.session.get(Body, user.body_id)
    assert body is not None
    return body


def _copy(copy_id: int, body: Body) -> TembusanCopy:
    return TembusanCopy.get_for_tenant(db.session, copy_id, body.id)


@bp.route("/badan")
@require_role(SEKRETARIS)
def my_body() -> Any:
    body = _sekretaris_body()
    copies = queries.tembusan_inbox(db.session, body.id)
    return render_template("tenants/my_body.html", body=body, admin=queries.current_admin(db.session, body.id),
                           counts=queries.status_counts(db.session, body.id), copies=copies,
                           letters=queries.letters_of_body(db.session, body.id),
                           open_replacement=queries.open_replacement(db.session, body.id), confirm=ConfirmForm(),
                           unread=sum(1 for c in copies if c.read_at is None))


@bp.route("/badan/tembusan/<int:copy_id>")
@require_role(SEKRETARIS)
def tembusan(copy_id: int) -> Any:
    """The copy. Showing it does not mark it read: the inbox opens an unread copy through
    ``tembusan_read`` (a POST), and this page offers the same button while it is unread."""
    body = _sekretaris_body()
    copy = _copy(copy_id, body)
    letter = db.session.get(Letter, copy.letter_id) if copy.letter_id else None
    warning = queries.warning_of_copy(db.session, copy)
    return render_template("tenants/tembusan.html", body=body, copy=copy, letter=letter, warning=warning,
                           reply_warning=warning if copy.kind == "warning_reply" else None, confirm=ConfirmForm())


@bp.route("/badan/tembusan/<int:copy_id>/dibaca", methods=["POST"])
@require_role(SEKRETARIS)
def tembusan_read(copy_id: int) -> Any:
    body = _sekretaris_body()
    copy = _copy(copy_id, body)
    return run_action(lambda: ops.mark_tembusan_read(db.session, current_actor(), copy, now=clock.now()),
                      redirect_to=url_for("tenants.tembusan", copy_id=copy.id), not_permitted=404)


@bp.route("/badan/tembusan/<int:copy_id>/berkas")
@require_role(SEKRETARIS)
def tembusan_file(copy_id: int) -> Any:
    body = _sekretaris_body()
    copy = _copy(copy_id, body)
    file_id = copy.file_id or (db.session.get(Letter, copy.letter_id).file_id if copy.letter_id else None)
    if file_id is None:
        raise NotFound()
    return storage.send(db.session.get(storage.StoredFile, file_id))


@bp.route("/badan/penggantian", methods=["POST"])
@require_role(SEKRETARIS)
def request_replacement() -> Any:
    return run_action(lambda: app_ops.create_replacement(db.session, current_actor(), now=clock.now()),
                      redirect_to=lambda application: url_for("applications.detail", application_id=application.id),
                      back=url_for("tenants.my_body"))


# -- Ditjen: all tenants -----------------------------------------------------------------------------

DITJEN = (VERIFIKATOR, PEJABAT, SUPERADMIN)


@bp.route("/ditjen/badan")
@require_role(*DITJEN)
def tenants() -> Any:
    flt = queries.TenantFilter(q=request.args.get("q", "")[:100], status=request.args.get("status", "tenants"))
    page = queries.tenant_list(db.session, flt, page=page_number(), per_page=page_size())
    return render_template("tenants/tenants.html", page=page, q=flt.q, status=flt.status)


def _body(body_id: int) -> Body:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound()
    return body


def _tenant_page(body: Body) -> Any:
    """Ditjen's page of a tenant, with the form to propose a suspension or reactivation, or the
    proposal waiting for a second official (again, with its errors, after a POST)."""
    def render(form: Any, status: int) -> Any:
        reason_form = form if isinstance(form, ReasonForm) else ReasonForm()
        note_form = form if isinstance(form, DecisionNoteForm) else DecisionNoteForm()
        return render_template("tenants/tenant.html", body=body, admin=queries.current_admin(db.session, body.id),
                               counts=queries.status_counts(db.session, body.id),
                               total=queries.account_count(db.session, body.id),
                               applications=queries.body_applications(db.session, body.id),
                               history=queries.body_history(db.session, body.id), form=reason_form,
                               note_form=note_form, pending=queries.open_status_change(db.session, body.id),
                               status_label=app_ops.status_label,
                               may_suspend=current_user.has_any_role(PEJABAT, SUPERADMIN)), status

    return render


@bp.route("/ditjen/badan/<int:body_id>")
@require_role(*DITJEN)
def tenant(body_id: int) -> Any:
    return _tenant_page(_body(body_id))(ReasonForm(), 200)


def _propose(body_id: int, action: str, success: str) -> Any:
    body = _body(body_id)
    form = ReasonForm()
    return run_action(lambda: ops.propose_tenant_change(db.session, current_actor(), body, action=action,
                                                        reason=form.reason.data, now=clock.now()),
                      form=form, render=_tenant_page(body), success=success,
                      redirect_to=url_for("tenants.tenant", body_id=body_id))


@bp.route("/ditjen/badan/<int:body_id>/tangguhkan", methods=["POST"])
@require_role(PEJABAT, SUPERADMIN)
def tenant_suspend(body_id: int) -> Any:
    return _propose(body_id, "suspend",
                    _("The suspension is proposed: it takes effect when another official confirms it."))


@bp.route("/ditjen/badan/<int:body_id>/pulihkan", methods=["POST"])
@require_role(PEJABAT, SUPERADMIN)
def tenant_reactivate(body_id: int) -> Any:
    return _propose(body_id, "reactivate",
                    _("The reactivation is proposed: it takes effect when another official confirms it."))


def _decided(change: Any) -> str:
    if change.status == "refused":
        return _("The proposal is refused; the tenant's status is unchanged.")
    return _("Confirmed: the tenant is suspended.") if change.action == "suspend" else _(
        "Confirmed: the tenant is active again.")


@bp.route("/ditjen/badan/<int:body_id>/usulan/<int:change_id>/<any(setujui, tolak):decision>", methods=["POST"])
@require_role(PEJABAT, SUPERADMIN)
def tenant_change_decide(body_id: int, change_id: int, decision: str) -> Any:
    """The second official confirms or refuses a proposed suspension or reactivation."""
    body = _body(body_id)
    form = DecisionNoteForm()
    return run_action(lambda: ops.decide_tenant_change(db.session, current_actor(), body, change_id,
                                                       confirm=decision == "setujui", note=form.note.data,
                                                       now=clock.now()),
                      form=form, render=_tenant_page(body), not_permitted=404, success=_decided,
                      redirect_to=url_for("tenants.tenant", body_id=body_id))



# -- a new Sekretaris of an existing tenant (the handover) ------------------------------------------

@bp.route("/badan/sekretaris-baru", methods=["GET", "POST"])
@require_role(SEKRETARIS)
def handover_request() -> Any:
    """A Sekretaris without a body asks to become the Sekretaris of a body that already uses SEP;
    the page also shows their requests and how each was decided."""
    user = current_actor()
    if user.body_id is not None:
        return redirect(url_for("tenants.my_body"))
    user_id = user.id
    form = HandoverForm()

    def page(form: HandoverForm, status: int) -> Any:
        rows = queries.handovers_of(db.session, user_id)
        return render_template("tenants/handover_request.html", form=form, rows=rows,
                               waiting=next((r for r in rows if r.handover.status == "pending"), None),
                               body_groups=queries.tenant_choices(db.session), kind_labels=BODY_KIND_LABELS,
                               confirm=ConfirmForm()), status

    if request.method == "GET":
        return page(form, 200)
    return run_action(
        lambda: ops.request_sekretaris_handover(db.session, current_actor(), body_id=form.body_id.data,
                                                position=form.position.data, upload=form.sk_file.data,
                                                now=clock.now()),
        form=form, render=page, redirect_to=url_for("tenants.handover_request"),
        success=_("Your request was sent to Ditjen Aptika. You will receive the decision by e-mail."))


@bp.route("/badan/sekretaris-baru/<int:handover_id>/tarik", methods=["POST"])
@require_role(SEKRETARIS)
def handover_withdraw(handover_id: int) -> Any:
    return run_action(lambda: ops.withdraw_sekretaris_handover(db.session, current_actor(), handover_id,
                                                               now=clock.now()),
                      not_permitted=404, success=_("Your request was withdrawn."),
                      redirect_to=url_for("tenants.handover_request"))


@bp.route("/sekretaris-baru/<int:handover_id>/sk")
@login_required
def handover_file(handover_id: int) -> Any:
    """The SK of the request: for the requester and the reviewers only (404 for anyone else)."""
    handover = db.session.get(SekretarisHandover, handover_id)
    if handover is None or not handover.can_read_file(current_actor()):
        raise NotFound()
    return storage.send(db.session.get(storage.StoredFile, handover.sk_file_id))


@bp.route("/ditjen/sekretaris")
@require_role(VERIFIKATOR, PEJABAT)
def handovers() -> Any:
    status = "decided" if request.args.get("status") == "decided" else "pending"
    return render_template("tenants/handovers.html", rows=queries.handover_list(db.session, status=status),
                           status=status)


def _handover_page(handover_id: int) -> Any:
    def render(form: Any, status: int) -> Any:
        row = queries.handover_row(db.session, handover_id)
        if row is None:
            raise NotFound()
        handover = row.handover
        return render_template(
            "tenants/handover.html", row=row, form=form,
            current=queries.sekretaris_any_status(db.session, row.body.id),
            previous=queries.people_named(db.session, handover.previous_ids or []),
            decided_by=queries.people_named(db.session, [handover.decided_by_id] if handover.decided_by_id else []),
            admin=queries.current_admin(db.session, row.body.id),
            may_decide=handover.status == "pending" and handover.can_decide(current_actor())), status

    return render


@bp.route("/ditjen/sekretaris/<int:handover_id>")
@require_role(VERIFIKATOR, PEJABAT)
def handover(handover_id: int) -> Any:
    return _handover_page(handover_id)(HandoverDecisionForm(), 200)


def _handover_decided(handover: SekretarisHandover) -> str:
    if handover.status == "refused":
        return _("The request is refused; the requester is told the reason by e-mail.")
    return _("Confirmed: the requester is now the body's Sekretaris BP; the previous one and the Admin Pengelola "
             "are told by e-mail.")


@bp.route("/ditjen/sekretaris/<int:handover_id>/<any(setujui, tolak):decision>", methods=["POST"])
@require_role(VERIFIKATOR)
def handover_decide(handover_id: int, decision: str) -> Any:
    form = HandoverDecisionForm()
    return run_action(lambda: ops.decide_sekretaris_handover(db.session, current_actor(), handover_id,
                                                             confirm=decision == "setujui", reason=form.reason.data,
                                                             now=clock.now()),
                      form=form, render=_handover_page(handover_id), not_permitted=404, success=_handover_decided,
                      redirect_to=url_for("tenants.handover", handover_id=handover_id))
