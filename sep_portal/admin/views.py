"""Operator pages: the working-day calendar (/admin/kalender), the audit log (/admin/audit), the
outbox (/admin/kotak-keluar), the integration API (/admin/api) and the account console
(/admin/akun: find any account, staff roles, staff accounts, two-step verification).
Views translate HTTP into operations (through ``run_action``) and queries; no SQL here."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from sep_portal.admin import bp, queries
from sep_portal.admin import labels as _labels  # noqa: F401  (registers the filters)
from sep_portal.admin.forms import (
    AccountSearchForm,
    AuditFilterForm,
    CalendarDayForm,
    ConfirmYearForm,
    OperatorActionForm,
    RoleChangeForm,
    ServiceAccountForm,
    WebhookForm,
)
from sep_portal.core import audit, calendar, clock, outbox
from sep_portal.core.actions import run_action
from sep_portal.core.errors import DomainError
from sep_portal.core.formatting import format_number
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.outbox import OutboxMessage
from sep_portal.core.pagination import page_size
from sep_portal.core.permissions import ROLES, SUPERADMIN, current_actor, require_role, role_label
from sep_portal.extensions import db


def _year_arg() -> int:
    try:
        year = int(request.args.get("tahun", ""))
    except ValueError:
        year = clock.now().astimezone(clock.WIB).year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _before_arg() -> int | None:
    """``?sebelum=``: the keyset cursor of the newest-first lists."""
    return request.args.get("sebelum", type=int)


# -- the calendar -------------------------------------------------------------------------------------

def _calendar_page(form: CalendarDayForm, status: int, year_form: ConfirmYearForm | None = None,
                   year: int | None = None) -> Any:
    year = year or _year_arg()
    cal = calendar.get_calendar()
    first = date(year, 1, 1)
    working_days = sum(1 for i in range((date(year + 1, 1, 1) - first).days)
                       if cal.is_working_day(first + timedelta(days=i)))
    return render_template("admin/calendar.html", year=year, days=cal.year(year),
                           operator_rows=queries.calendar_days(db.session, year), form=form,
                           confirm_form=ConfirmForm(), working_days=working_days,
                           year_form=year_form or ConfirmYearForm(prefix="yr"),
                           confirmed_decree=cal.confirmed_years.get(year)), status


@bp.route("/kalender", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def calendar_page() -> Any:
    form = CalendarDayForm()
    if request.method == "GET":
        return _calendar_page(form, 200)
    return run_action(
        lambda: calendar.add_calendar_day(db.session, current_actor(), form.day.data, form.kind.data,
                                          form.description.data, form.source.data),
        form=form, render=_calendar_page, success=_("The calendar has been updated."),
        redirect_to=lambda _row: url_for("admin.calendar_page", tahun=form.day.data.year))


@bp.route("/kalender/<int:year>/konfirmasi", methods=["POST"])
@require_role(SUPERADMIN)
def calendar_confirm_year(year: int) -> Any:
    form = ConfirmYearForm(prefix="yr")
    return run_action(
        lambda: calendar.confirm_calendar_year(db.session, current_actor(), year, form.decree.data or ""),
        form=form, render=lambda f, status: _calendar_page(CalendarDayForm(formdata=None), status, f, year),
        success=_("The year is confirmed: its days are no longer marked as estimates."),
        redirect_to=url_for("admin.calendar_page", tahun=year))


@bp.route("/kalender/<day>/hapus", methods=["POST"])
@require_role(SUPERADMIN)
def calendar_remove(day: str) -> Any:
    try:
        which = date.fromisoformat(day)
    except ValueError:
        abort(404)
    return run_action(lambda: calendar.remove_calendar_day(db.session, current_actor(), which),
                      success=_("The entry has been removed."),
                      redirect_to=url_for("admin.calendar_page", tahun=which.year))


# -- the audit log ------------------------------------------------------------------------------------

def _wib_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.WIB)


def _audit_filter(form: AuditFilterForm) -> queries.AuditFilter:
    """The filter the form asks for; nothing is filtered while the form has errors."""
    if form.errors:
        return queries.AuditFilter()
    actor_id = None
    if form.actor.data:
        if form.actor.data.isdigit():
            actor_id = int(form.actor.data)
        else:
            form.actor.errors = [_("Enter a user id (a number).")]
    return queries.AuditFilter(
        action=form.action.data or "", actor_id=actor_id, target_type=form.target_type.data or "",
        target_id=form.target_id.data or "",
        since=_wib_start(form.date_from.data) if form.date_from.data else None,
        until=_wib_start(form.date_to.data + timedelta(days=1)) if form.date_to.data else None)


@bp.route("/audit")
@require_role(SUPERADMIN)
def audit_page() -> Any:
    form = AuditFilterForm(request.args)
    form.validate()
    entries = queries.audit_entries(db.session, _audit_filter(form), before=_before_arg(), limit=page_size())
    return render_template("admin/audit.html", form=form, entries=entries,
                           names=queries.audit_names(db.session, entries.rows))


@bp.route("/audit/verifikasi", methods=["POST"])
@require_role(SUPERADMIN)
def audit_verify() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = audit.verify(db.session)
    if result.ok:
        flash(_("The audit log is intact: %(n)s entries checked.", n=format_number(result.checked)), "success")
    else:
        flash(_("The audit log is broken at entry %(seq)s: %(reason)s.", seq=result.broken_seq,
                reason=result.reason), "danger")
    return redirect(url_for("admin.audit_page"))


# -- the outbox ---------------------------------------------------------------------------------------

@bp.route("/kotak-keluar")
@require_role(SUPERADMIN)
def outbox_page() -> Any:
    status = request.args.get("status") or None
    if status is not None and status not in outbox.OUTBOX_STATUSES:
        abort(404)
    messages = queries.outbox_messages(db.session, status=status, before=_before_arg(), limit=page_size())
    return render_template("admin/outbox.html", messages=messages, counts=queries.outbox_counts(db.session),
                           statuses=outbox.OUTBOX_STATUSES, status=status,
                           show_body=current_app.config["SEP_OUTBOX_SHOW_BODY"], confirm_form=ConfirmForm())


def _message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


@bp.route("/kotak-keluar/<int:message_id>")
@require_role(SUPERADMIN)
def outbox_message(message_id: int) -> Any:
    return render_template("admin/outbox_message.html", message=_message(message_id), confirm_form=ConfirmForm(),
                           show_body=current_app.config["SEP_OUTBOX_SHOW_BODY"])


@bp.route("/kotak-keluar/<int:message_id>/ulang", methods=["POST"])
@require_role(SUPERADMIN)
def outbox_requeue(message_id: int) -> Any:
    message = _message(message_id)
    return run_action(lambda: outbox.requeue(db.session, current_actor(), message),
                      success=_("The message will be sent again at the next sweep."),
                      redirect_to=url_for("admin.outbox_message", message_id=message_id))


# -- integration API: service accounts and webhooks -------------------------------------------------

def _body_by_code(code: str | None) -> int | None:
    """The body a token or webhook is limited to (None: every body); its code must exist."""
    code = (code or "").strip()
    if not code:
        return None
    body_id = queries.body_id_by_code(db.session, code)
    if body_id is None:
        raise DomainError("body_code", _("No government body has this code."))
    return body_id


def _api_page(account_form: Any = None, webhook_form: Any = None, shown: dict[str, str] | None = None,
              status: int = 200) -> Any:
    return render_template("admin/api.html", accounts=queries.service_accounts(db.session),
                           endpoints=queries.webhook_endpoints(db.session),
                           failed=queries.failed_webhooks(db.session),
                           account_form=account_form or ServiceAccountForm(prefix="sa"),
                           webhook_form=webhook_form or WebhookForm(prefix="wh"), confirm=ConfirmForm(),
                           shown=shown), status


def _api_url() -> str:
    return url_for("admin.api_page")


@bp.route("/api")
@require_role(SUPERADMIN)
def api_page() -> Any:
    return _api_page()


@bp.route("/api/akun-layanan", methods=["POST"])
@require_role(SUPERADMIN)
def api_account_create() -> Any:
    from sep_portal.api import operations as api_ops

    form = ServiceAccountForm(prefix="sa")
    return run_action(
        lambda: api_ops.create_service_account(db.session, current_actor(), name=form.name.data,
                                               scope=form.scope.data, body_id=_body_by_code(form.body_code.data),
                                               now=clock.now()),
        form=form, render=lambda form, status: _api_page(account_form=form, status=status), redirect_to=_api_url(),
        respond=lambda made: _api_page(shown={"kind": "token", "name": made[0].name, "value": made[1]}))


@bp.route("/api/akun-layanan/<int:account_id>/cabut", methods=["POST"])
@require_role(SUPERADMIN)
def api_account_revoke(account_id: int) -> Any:
    from sep_portal.api import operations as api_ops
    from sep_portal.api.models import ServiceAccount

    account = db.session.get(ServiceAccount, account_id)
    if account is None:
        abort(404)
    return run_action(lambda: api_ops.revoke_service_account(db.session, current_actor(), account, now=clock.now()),
                      success=_("The token was revoked."), redirect_to=_api_url())


@bp.route("/api/webhook", methods=["POST"])
@require_role(SUPERADMIN)
def api_webhook_create() -> Any:
    from sep_portal.api import operations as api_ops

    form = WebhookForm(prefix="wh")
    return run_action(
        lambda: api_ops.create_webhook(db.session, current_actor(), name=form.name.data, url=form.url.data,
                                       body_id=_body_by_code(form.body_code.data), now=clock.now()),
        form=form, render=lambda form, status: _api_page(webhook_form=form, status=status), redirect_to=_api_url(),
        respond=lambda made: _api_page(shown={"kind": "secret", "name": made[0].name, "value": made[1]}))


@bp.route("/api/webhook/<int:endpoint_id>/<action>", methods=["POST"])
@require_role(SUPERADMIN)
def api_webhook_toggle(endpoint_id: int, action: str) -> Any:
    from sep_portal.api import operations as api_ops
    from sep_portal.api.models import WebhookEndpoint

    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or action not in ("aktifkan", "nonaktifkan"):
        abort(404)
    return run_action(lambda: api_ops.set_webhook_active(db.session, current_actor(), endpoint, action == "aktifkan"),
                      redirect_to=_api_url())


# -- the account console ----------------------------------------------------------------------------

@bp.route("/akun")
@require_role(SUPERADMIN)
def accounts_page() -> Any:
    form = AccountSearchForm(request.args)
    form.role.choices = [("", _("Any role"))] + [(role, role_label(role)) for role in ROLES]
    form.validate()
    search = queries.AccountSearch(q=form.q.data or "", role=form.role.data or "", anywhere=bool(form.anywhere.data))
    if form.errors:
        search = queries.AccountSearch()
    page = queries.find_accounts(db.session, search, cursor=request.args.get("setelah"), limit=page_size())
    return render_template("admin/accounts.html", form=form, search=search, page=page)


def _user(user_id: int) -> Any:
    from sep_portal.accounts.models import User

    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _role_forms(user: Any, grant: Any = None, revoke: Any = None) -> tuple[Any, Any]:
    from sep_portal.accounts.operations import STAFF_ROLES

    grant = grant or RoleChangeForm(prefix="grant")
    revoke = revoke or RoleChangeForm(prefix="revoke")
    grant.role.choices = [(r, role_label(r)) for r in STAFF_ROLES if not user.has_role(r)]
    revoke.role.choices = [(r, role_label(r)) for r in STAFF_ROLES if user.has_role(r)]
    return grant, revoke


def _account_page(user: Any, **forms: Any) -> Any:
    """The page of one account, with the form that was sent (and its errors) where it came from."""
    from sep_portal.accounts.operations import STAFF_ROLES, TOTP_RESET_ROLES

    grant, revoke = _role_forms(user, forms.get("grant"), forms.get("revoke"))
    return render_template(
        "admin/account.html", user=user, facts=queries.account_facts(db.session, user, clock.now()),
        grant_form=grant, revoke_form=revoke,
        status_form=forms.get("status") or OperatorActionForm(prefix="status"),
        totp_form=forms.get("totp") or OperatorActionForm(prefix="totp"),
        is_staff=user.has_any_role(*STAFF_ROLES), may_reset_totp=user.has_any_role(*TOTP_RESET_ROLES),
        is_self=user.id == current_user.id)


@bp.route("/akun/<int:user_id>")
@require_role(SUPERADMIN)
def account_page(user_id: int) -> Any:
    return _account_page(_user(user_id))


def _account_action(user_id: int, prefix: str, form: Any, operation: Any, success: str) -> Any:
    """One of the console's changes: the form (reason, confirmation, CSRF) → the operation →
    commit once → back to the account; a refused one shows the page again, the form's errors on it."""
    user = _user(user_id)
    return run_action(lambda: operation(form), form=form,
                      render=lambda f, status: (_account_page(user, **{prefix: f}), status),
                      success=success, redirect_to=url_for("admin.account_page", user_id=user_id))


@bp.route("/akun/<int:user_id>/peran/beri", methods=["POST"])
@require_role(SUPERADMIN)
def account_grant_role(user_id: int) -> Any:
    from sep_portal.accounts import operations as account_ops

    user = _user(user_id)
    form, _revoke = _role_forms(user, grant=RoleChangeForm(prefix="grant"))
    return _account_action(
        user_id, "grant", form,
        lambda f: account_ops.grant_staff_role(db.session, current_actor(), user, f.role.data, reason=f.reason.data,
                                               now=clock.now()),
        _("The role was granted; the person has been told by e-mail."))


@bp.route("/akun/<int:user_id>/peran/cabut", methods=["POST"])
@require_role(SUPERADMIN)
def account_revoke_role(user_id: int) -> Any:
    from sep_portal.accounts import operations as account_ops

    user = _user(user_id)
    _grant, form = _role_forms(user, revoke=RoleChangeForm(prefix="revoke"))
    return _account_action(
        user_id, "revoke", form,
        lambda f: account_ops.revoke_staff_role(db.session, current_actor(), user, f.role.data, reason=f.reason.data,
                                                now=clock.now()),
        _("The role was withdrawn and the person signed out everywhere; they have been told by e-mail."))


@bp.route("/akun/<int:user_id>/nonaktifkan", methods=["POST"])
@require_role(SUPERADMIN)
def account_disable(user_id: int) -> Any:
    from sep_portal.accounts import operations as account_ops

    user = _user(user_id)
    return _account_action(
        user_id, "status", OperatorActionForm(prefix="status"),
        lambda f: account_ops.disable_staff_account(db.session, current_actor(), user, reason=f.reason.data,
                                                    now=clock.now()),
        _("The account is disabled: it cannot sign in and its sessions have ended."))


@bp.route("/akun/<int:user_id>/aktifkan", methods=["POST"])
@require_role(SUPERADMIN)
def account_enable(user_id: int) -> Any:
    from sep_portal.accounts import operations as account_ops

    user = _user(user_id)
    return _account_action(
        user_id, "status", OperatorActionForm(prefix="status"),
        lambda f: account_ops.enable_staff_account(db.session, current_actor(), user, reason=f.reason.data,
                                                   now=clock.now()),
        _("The account is enabled again."))


@bp.route("/akun/<int:user_id>/reset-2fa", methods=["POST"])
@require_role(SUPERADMIN)
def account_reset_totp(user_id: int) -> Any:
    from sep_portal.accounts import operations as account_ops

    user = _user(user_id)
    return _account_action(
        user_id, "totp", OperatorActionForm(prefix="totp"),
        lambda f: account_ops.reset_two_step(db.session, current_actor(), user, reason=f.reason.data,
                                             now=clock.now()),
        _("Two-step verification was reset; the person sets it up again at the next sign-in."))
