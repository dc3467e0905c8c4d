"""Tenant pages: the Admin Pengelola's accounts and imports (/pengelola), the Sekretaris' view of
its body (/badan) and Ditjen's view of all tenants (/ditjen/badan)."""
from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from sep_portal.accounts.models import User
from sep_portal.applications import operations as app_ops
from sep_portal.applications.models import Application
from sep_portal.core import audit, clock, exports, storage
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.forms import ConfirmForm, apply_error
from sep_portal.core.letters import Letter
from sep_portal.core.pagination import page_number
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
from sep_portal.tenants import operations as ops
from sep_portal.tenants.forms import AccountForm, ImportForm, ReasonForm
from sep_portal.tenants.models import AccountImport, AccountImportProblem, Body, TembusanCopy


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
                                   limit=current_app.config["SEP_PAGE_SIZE"])
    return render_template("tenants/accounts.html", body=body, page=page, q=q, status=status,
                           counts=queries.status_counts(db.session, body.id), ops=ops)


@bp.route("/pengelola/akun/baru", methods=["GET", "POST"])
@require_role(ADMIN_PENGELOLA)
def account_new() -> Any:
    body = _tenant()
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account = ops.create_account(db.session, current_actor(), body, name=form.name.data, nip=form.nip.data,
                                         email=form.email.data, unit=form.unit.data, position=form.position.data,
                                         now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("The account was created and the activation link sent."), "success")
            return redirect(url_for("tenants.account", account_id=account.id))
    return render_template("tenants/account_form.html", form=form, body=body, account=None), (
        422 if form.errors else 200)


@bp.route("/pengelola/akun/<int:account_id>")
@require_role(ADMIN_PENGELOLA)
def account(account_id: int) -> Any:
    body = _tenant()
    account = _account(account_id, body)
    form = AccountForm(obj=account)
    return render_template("tenants/account.html", body=body, account=account, form=form, confirm=ConfirmForm())


@bp.route("/pengelola/akun/<int:account_id>/ubah", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_edit(account_id: int) -> Any:
    body = _tenant()
    account = _account(account_id, body)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            ops.update_account(db.session, current_actor(), body, account, name=form.name.data, email=form.email.data,
                               unit=form.unit.data, position=form.position.data, nip=form.nip.data, now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            account = _account(account_id, body)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("tenants.account", account_id=account.id))
    return render_template("tenants/account.html", body=body, account=account, form=form,
                           confirm=ConfirmForm()), 422


def _account_action(account_id: int, action: Any, success: str) -> Any:
    body = _tenant()
    account = _account(account_id, body)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(db.session, current_actor(), body, account, now=clock.now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("tenants.account", account_id=account_id))


@bp.route("/pengelola/akun/<int:account_id>/nonaktifkan", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_disable(account_id: int) -> Any:
    return _account_action(account_id, ops.disable_account,
                           _("The account is disabled: it cannot sign in and its sessions have ended."))


@bp.route("/pengelola/akun/<int:account_id>/aktifkan", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def account_enable(account_id: int) -> Any:
    return _account_action(account_id, ops.enable_account, _("The account is enabled again."))


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
    audit.record(db.session, current_actor(), "accounts.exported", body, after={"format": fmt})
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


@bp.route("/pengelola/impor", methods=["GET", "POST"])
@require_role(ADMIN_PENGELOLA)
def imports() -> Any:
    body = _tenant()
    if request.method == "POST":
        # An import file may be larger than a document upload; still refused before it is read.
        request.max_content_length = current_app.config["SEP_MAX_IMPORT_BYTES"] + 64 * 1024
    form = ImportForm()
    running = db.session.scalar(select(AccountImport.id).where(
        AccountImport.body_id == body.id,
        AccountImport.status.in_(("queued_check", "checking", "queued_import", "importing"))))
    if form.validate_on_submit() and running is not None:
        form.file.errors = [_("Another import of your body is still running; wait until it ends.")]
    elif form.validate_on_submit():
        try:
            stored = storage.save_spreadsheet(db.session, form.file.data, purpose="import:source",
                                              created_by=current_actor(),
                                              max_bytes=current_app.config["SEP_MAX_IMPORT_BYTES"])
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [exc.message]
        else:
            job = AccountImport(body_id=body.id, created_by_id=current_user.id, file_id=stored.id,
                                status="queued_check", created_at=clock.now())
            db.session.add(job)
            db.session.flush()
            audit.record(db.session, current_actor(), "accounts.import_uploaded", job,
                         after={"file": stored.original_name, "sha256": stored.sha256})
            db.session.commit()
            importer.start(current_app._get_current_object(), job.id, "check")
            return redirect(url_for("tenants.import_job", job_id=job.id))
    jobs = db.session.scalars(select(AccountImport).where(AccountImport.body_id == body.id)
                              .order_by(AccountImport.id.desc()).limit(20)).all()
    return render_template("tenants/imports.html", body=body, form=form, jobs=jobs), 422 if form.errors else 200


def _job(job_id: int, body: Body) -> AccountImport:
    return _scoped(AccountImport, job_id, body)


def _scoped(model: Any, object_id: int, body: Body) -> Any:
    obj = db.session.scalar(select(model).where(model.id == object_id, model.body_id == body.id))
    if obj is None:
        raise NotFound()
    return obj


@bp.route("/pengelola/impor/<int:job_id>")
@require_role(ADMIN_PENGELOLA)
def import_job(job_id: int) -> Any:
    body = _tenant()
    job = _job(job_id, body)
    problems = db.session.scalars(select(AccountImportProblem).where(AccountImportProblem.import_id == job.id)
                                  .order_by(AccountImportProblem.row_number, AccountImportProblem.id)
                                  .limit(500)).all()
    return render_template("tenants/import_job.html", body=body, job=job, problems=problems,
                           done=importer.progress_of(job), confirm=ConfirmForm())


@bp.route("/pengelola/impor/<int:job_id>/jalankan", methods=["POST"])
@require_role(ADMIN_PENGELOLA)
def import_run(job_id: int) -> Any:
    body = _tenant()
    job = _job(job_id, body)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    claimed = db.session.execute(
        AccountImport.__table__.update()
        .where(AccountImport.id == job.id, AccountImport.status == "checked")
        .values(status="queued_import", processed_rows=0)
    ).rowcount
    if not claimed:
        db.session.rollback()
        flash(_("This import cannot be started: check the file first, and only a file without problems is "
                "imported."), "danger")
        return redirect(url_for("tenants.import_job", job_id=job.id))
    audit.record(db.session, current_actor(), "accounts.import_started", job)
    db.session.commit()
    importer.start(current_app._get_current_object(), job.id, "import")
    return redirect(url_for("tenants.import_job", job_id=job.id))


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


@bp.route("/badan")
@require_role(SEKRETARIS)
def my_body() -> Any:
    body = _sekretaris_body()
    copies = db.session.scalars(select(TembusanCopy).where(TembusanCopy.body_id == body.id)
                                .order_by(TembusanCopy.id.desc()).limit(50)).all()
    body_letters = db.session.execute(
        select(Letter, Application.id).join(Application, Application.letter_id == Letter.id)
        .where(Application.body_id == body.id).order_by(Letter.id.desc())).all()
    open_replacement = db.session.scalar(select(Application.id).where(
        Application.body_id == body.id, Application.kind == "penggantian",
        Application.status.in_(("draft", "submitted", "returned", "complete"))))
    return render_template("tenants/my_body.html", body=body, admin=queries.current_admin(db.session, body.id),
                           counts=queries.status_counts(db.session, body.id), copies=copies, letters=body_letters,
                           open_replacement=open_replacement, confirm=ConfirmForm(),
                           unread=sum(1 for c in copies if c.read_at is None))


@bp.route("/badan/tembusan/<int:copy_id>")
@require_role(SEKRETARIS)
def tembusan(copy_id: int) -> Any:
    body = _sekretaris_body()
    copy = _scoped(TembusanCopy, copy_id, body)
    if copy.read_at is None:
        copy.read_at, copy.read_by_id = clock.now(), current_user.id
        db.session.commit()
    letter = db.session.get(Letter, copy.letter_id) if copy.letter_id else None
    warning = None
    if copy.letter_id and copy.kind in ("warning_letter", "warning_reply"):
        from sep_portal.abuse.models import WarningLetter

        warning = db.session.scalar(select(WarningLetter).where(WarningLetter.letter_id == copy.letter_id,
                                                                WarningLetter.body_id == body.id))
    return render_template("tenants/tembusan.html", body=body, copy=copy, letter=letter, warning=warning,
                           reply_warning=warning if copy.kind == "warning_reply" else None)


@bp.route("/badan/tembusan/<int:copy_id>/berkas")
@require_role(SEKRETARIS)
def tembusan_file(copy_id: int) -> Any:
    body = _sekretaris_body()
    copy = _scoped(TembusanCopy, copy_id, body)
    file_id = copy.file_id or (db.session.get(Letter, copy.letter_id).file_id if copy.letter_id else None)
    if file_id is None:
        raise NotFound()
    return storage.send(db.session.get(storage.StoredFile, file_id))


@bp.route("/badan/penggantian", methods=["POST"])
@require_role(SEKRETARIS)
def request_replacement() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        application = app_ops.create_replacement(db.session, current_actor(), now=clock.now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("tenants.my_body"))
    db.session.commit()
    return redirect(url_for("applications.detail", application_id=application.id))


# -- Ditjen: all tenants -----------------------------------------------------------------------------

DITJEN = (VERIFIKATOR, PEJABAT, SUPERADMIN)


@bp.route("/ditjen/badan")
@require_role(*DITJEN)
def tenants() -> Any:
    q, status = request.args.get("q", "")[:100], request.args.get("status", "tenants")
    page = page_number()
    per_page = current_app.config["SEP_PAGE_SIZE"]
    rows, total = queries.tenant_list(db.session, q=q, status=status, page=page, per_page=per_page)
    return render_template("tenants/tenants.html", rows=rows, total=total, q=q, status=status, page=page,
                           pages=max(1, -(-total // per_page)))


@bp.route("/ditjen/badan/<int:body_id>")
@require_role(*DITJEN)
def tenant(body_id: int) -> Any:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound()
    applications = db.session.scalars(select(Application).where(Application.body_id == body.id)
                                      .order_by(Application.id.desc())).all()
    history = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "bodies",
                                                          AuditEntry.target_id == str(body.id))
                                 .order_by(AuditEntry.seq.desc()).limit(50)).all()
    total = db.session.scalar(select(func.count()).select_from(User).where(User.body_id == body.id))
    return render_template("tenants/tenant.html", body=body, admin=queries.current_admin(db.session, body.id),
                           counts=queries.status_counts(db.session, body.id), total=total,
                           applications=applications, history=history, form=ReasonForm(),
                           status_label=app_ops.status_label,
                           may_suspend=current_user.has_any_role(PEJABAT, SUPERADMIN))


def _tenant_action(body_id: int, action: Any, success: str) -> Any:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound()
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            action(db.session, current_actor(), body, reason=form.reason.data, now=clock.now())
        except NotPermitted:
            abort(403)
        except (ConflictError, DomainError) as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(success, "success")
    else:
        flash(_("Give the reason."), "danger")
    return redirect(url_for("tenants.tenant", body_id=body_id))


@bp.route("/ditjen/badan/<int:body_id>/tangguhkan", methods=["POST"])
@require_role(PEJABAT, SUPERADMIN)
def tenant_suspend(body_id: int) -> Any:
    return _tenant_action(body_id, ops.suspend_tenant,
                          _("The tenant is suspended: none of its accounts can sign in."))


@bp.route("/ditjen/badan/<int:body_id>/pulihkan", methods=["POST"])
@require_role(PEJABAT, SUPERADMIN)
def tenant_reactivate(body_id: int) -> Any:
    return _tenant_action(body_id, ops.reactivate_tenant, _("The tenant is active again."))
