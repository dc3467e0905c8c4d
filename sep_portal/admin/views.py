from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from sep_portal.admin import bp
from sep_portal.admin.forms import AuditFilterForm, CalendarDayForm
from sep_portal.core import audit, calendar, clock, outbox
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import DomainError
from sep_portal.core.forms import ConfirmForm, apply_error
from sep_portal.core.outbox import OutboxMessage
from sep_portal.core.permissions import SUPERADMIN, require_role
from sep_portal.extensions import db


def _year_arg() -> int:
    try:
        year = int(request.args.get("tahun", ""))
    except ValueError:
        year = clock.now().astimezone(clock.WIB).year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/kalender", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def calendar_page() -> Any:
    year = _year_arg()
    form = CalendarDayForm()
    status = 200
    if form.validate_on_submit():
        try:
            calendar.add_calendar_day(db.session, current_user._get_current_object(), form.day.data, form.kind.data,
                                      form.description.data, form.source.data)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            status = 400
        else:
            db.session.commit()
            flash(_("The calendar has been updated."), "success")
            return redirect(url_for("admin.calendar_page", tahun=form.day.data.year))
    elif form.is_submitted():
        status = 400
    cal = calendar.get_calendar()
    operator_rows = {row.day: row for row in db.session.scalars(
        select(calendar.CalendarDay).where(calendar.CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))}
    working_days = sum(1 for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
                       if cal.is_working_day(date(year, 1, 1) + timedelta(days=i)))
    return render_template("admin/calendar.html", year=year, days=cal.year(year), operator_rows=operator_rows,
                           form=form, confirm_form=ConfirmForm(), working_days=working_days), status


@bp.route("/kalender/<day>/hapus", methods=["POST"])
@require_role(SUPERADMIN)
def calendar_remove(day: str) -> Any:
    try:
        which = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        calendar.remove_calendar_day(db.session, current_user._get_current_object(), which)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("The entry has been removed."), "success")
    return redirect(url_for("admin.calendar_page", tahun=which.year))


def _wib_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.WIB)


@bp.route("/audit")
@require_role(SUPERADMIN)
def audit_page() -> Any:
    form = AuditFilterForm(request.args)
    form.validate()
    page_size = current_app.config["SEP_PAGE_SIZE"]
    query = select(AuditEntry)
    if not form.errors:
        if form.action.data:
            query = query.where(AuditEntry.action.startswith(form.action.data))
        if form.actor.data:
            if not form.actor.data.isdigit():
                form.actor.errors = [_("Enter a user id (a number).")]
            else:
                query = query.where(AuditEntry.actor_id == int(form.actor.data))
        if form.target_type.data:
            query = query.where(AuditEntry.target_type == form.target_type.data)
        if form.target_id.data:
            query = query.where(AuditEntry.target_id == form.target_id.data)
        if form.date_from.data:
            query = query.where(AuditEntry.occurred_at >= _wib_start(form.date_from.data))
        if form.date_to.data:
            query = query.where(AuditEntry.occurred_at < _wib_start(form.date_to.data + timedelta(days=1)))
    # Keyset pagination on the sequence: constant cost on any page of a log of millions of rows.
    before = request.args.get("sebelum", type=int)
    if before:
        query = query.where(AuditEntry.seq < before)
    entries = db.session.scalars(query.order_by(AuditEntry.seq.desc()).limit(page_size + 1)).all()
    more = len(entries) > page_size
    entries = entries[:page_size]
    args = {k: v for k, v in request.args.items() if k != "sebelum" and v}
    next_url = url_for("admin.audit_page", sebelum=entries[-1].seq, **args) if more and entries else None
    return render_template("admin/audit.html", form=form, entries=entries, next_url=next_url,
                           first_url=url_for("admin.audit_page", **args) if before else None)


@bp.route("/audit/verifikasi", methods=["POST"])
@require_role(SUPERADMIN)
def audit_verify() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = audit.verify(db.session)
    if result.ok:
        flash(_("The audit log is intact: %(n)d entries checked.", n=result.checked), "success")
    else:
        flash(_("The audit log is broken at entry %(seq)s: %(reason)s.", seq=result.broken_seq,
                reason=result.reason), "danger")
    return redirect(url_for("admin.audit_page"))


@bp.route("/kotak-keluar")
@require_role(SUPERADMIN)
def outbox_page() -> Any:
    status = request.args.get("status") or None
    if status is not None and status not in outbox.OUTBOX_STATUSES:
        abort(404)
    page_size = current_app.config["SEP_PAGE_SIZE"]
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    before = request.args.get("sebelum", type=int)
    if before:
        query = query.where(OutboxMessage.id < before)
    messages = db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(page_size + 1)).all()
    more = len(messages) > page_size
    messages = messages[:page_size]
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    next_url = url_for("admin.outbox_page", status=status, sebelum=messages[-1].id) if more and messages else None
    return render_template("admin/outbox.html", messages=messages, counts=counts, status=status, next_url=next_url,
                           show_body=current_app.config["SEP_OUTBOX_SHOW_BODY"], confirm_form=ConfirmForm())


@bp.route("/kotak-keluar/<int:message_id>")
@require_role(SUPERADMIN)
def outbox_message(message_id: int) -> Any:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", message=message, confirm_form=ConfirmForm(),
                           show_body=current_app.config["SEP_OUTBOX_SHOW_BODY"])


@bp.route("/kotak-keluar/<int:message_id>/ulang", methods=["POST"])
@require_role(SUPERADMIN)
def outbox_requeue(message_id: int) -> Any:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if not ConfirmForm().validate_on_submit() or message.status != "failed":
        abort(400)
    outbox.requeue(db.session, message)
    audit.record(db.session, current_user._get_current_object(), "outbox.requeued", message)
    db.session.commit()
    flash(_("The message will be sent again at the next sweep."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id))


# -- integration API: service accounts and webhooks -------------------------------------------------

def _body_by_code(code: str | None) -> int | None:
    from sep_portal.tenants.models import Body

    code = (code or "").strip()
    if not code:
        return None
    body_id = db.session.scalar(select(Body.id).where(Body.code == code))
    if body_id is None:
        raise DomainError("body_code", _("No government body has this code."))
    return body_id


def _api_page(account_form: Any = None, webhook_form: Any = None, shown: dict[str, str] | None = None,
              status: int = 200) -> Any:
    from sep_portal.admin.forms import ServiceAccountForm, WebhookForm
    from sep_portal.api.models import ServiceAccount, WebhookEndpoint

    accounts = db.session.scalars(select(ServiceAccount).order_by(ServiceAccount.id.desc())).all()
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())).all()
    failed = dict(db.session.execute(
        select(OutboxMessage.endpoint_id, func.count()).where(OutboxMessage.channel == "webhook",
                                                              OutboxMessage.status == "failed")
        .group_by(OutboxMessage.endpoint_id)).all())
    return render_template("admin/api.html", accounts=accounts, endpoints=endpoints, failed=failed,
                           account_form=account_form or ServiceAccountForm(prefix="sa"),
                           webhook_form=webhook_form or WebhookForm(prefix="wh"), confirm=ConfirmForm(),
                           shown=shown), status


@bp.route("/api")
@require_role(SUPERADMIN)
def api_page() -> Any:
    return _api_page()


@bp.route("/api/akun-layanan", methods=["POST"])
@require_role(SUPERADMIN)
def api_account_create() -> Any:
    from sep_portal.admin.forms import ServiceAccountForm
    from sep_portal.api import operations as api_ops

    form = ServiceAccountForm(prefix="sa")
    if form.validate_on_submit():
        try:
            account, token = api_ops.create_service_account(
                db.session, current_user._get_current_object(), name=form.name.data, scope=form.scope.data,
                body_id=_body_by_code(form.body_code.data), now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            return _api_page(shown={"kind": "token", "name": account.name, "value": token})
    return _api_page(account_form=form, status=422)


@bp.route("/api/akun-layanan/<int:account_id>/cabut", methods=["POST"])
@require_role(SUPERADMIN)
def api_account_revoke(account_id: int) -> Any:
    from sep_portal.api import operations as api_ops
    from sep_portal.api.models import ServiceAccount

    account = db.session.get(ServiceAccount, account_id)
    if account is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        api_ops.revoke_service_account(db.session, current_user._get_current_object(), account, now=clock.now())
        db.session.commit()
        flash(_("The token was revoked."), "success")
    return redirect(url_for("admin.api_page"))


@bp.route("/api/webhook", methods=["POST"])
@require_role(SUPERADMIN)
def api_webhook_create() -> Any:
    from sep_portal.admin.forms import WebhookForm
    from sep_portal.api import operations as api_ops

    form = WebhookForm(prefix="wh")
    if form.validate_on_submit():
        try:
            endpoint, secret = api_ops.create_webhook(
                db.session, current_user._get_current_object(), name=form.name.data, url=form.url.data,
                body_id=_body_by_code(form.body_code.data), now=clock.now())
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            return _api_page(shown={"kind": "secret", "name": endpoint.name, "value": secret})
    return _api_page(webhook_form=form, status=422)


@bp.route("/api/webhook/<int:endpoint_id>/<action>", methods=["POST"])
@require_role(SUPERADMIN)
def api_webhook_toggle(endpoint_id: int, action: str) -> Any:
    from sep_portal.api import operations as api_ops
    from sep_portal.api.models import WebhookEndpoint

    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or action not in ("aktifkan", "nonaktifkan"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        api_ops.set_webhook_active(db.session, current_user._get_current_object(), endpoint, action == "aktifkan")
        db.session.commit()
    return redirect(url_for("admin.api_page"))
