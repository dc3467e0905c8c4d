"""Helpdesk pages: a requester's tickets (/tiket), the public form and a public ticket's link
(/tiket/publik), the agents' queue (/helpdesk), the public service catalogue with its standar
pelayanan (/layanan) and the operator's catalogue and SLA targets (/admin/layanan, /admin/sla).
Authorisation is per ticket: a requester sees only their own tickets (404 for any other), agents
see all. Views translate HTTP into operations (through ``run_action``) and queries; no SQL here."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from sep_portal.accounts.models import User
from sep_portal.core import calendar, clock, storage
from sep_portal.core.actions import run_action
from sep_portal.core.formatting import current_language, format_decimal
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.pagination import page_number, page_size
from sep_portal.core.permissions import HELPDESK, SUPERADMIN, current_actor, require_role
from sep_portal.extensions import db, limit_from_config, limiter, per_person
from sep_portal.helpdesk import bp, queries, sla
from sep_portal.helpdesk import labels as _labels  # noqa: F401  (registers the label filters)
from sep_portal.helpdesk import operations as ops
from sep_portal.helpdesk.forms import (
    AgentReplyForm,
    AssignForm,
    NewServiceForm,
    PriorityForm,
    PublicTicketForm,
    RequesterReplyForm,
    SaveViewForm,
    ServiceForm,
    SlaForm,
    SurveyForm,
    TicketForm,
)
from sep_portal.helpdesk.models import (
    STATUSES,
    SURVEY_ELEMENTS,
    TICKET_TYPES,
    HelpdeskService,
    Ticket,
    TicketAttachment,
)
from sep_portal.helpdesk.states import ticket_machine


def _is_agent() -> bool:
    return current_user.is_authenticated and current_user.has_role(HELPDESK)


def _services() -> list[tuple[int | str, str]]:
    return [("", _("— choose —"))] + [(s.id, s.name) for s in queries.services(db.session, active_only=True)]


def _clock_of(ticket: Ticket, targets: sla.Targets, cal: calendar.WorkingCalendar) -> dict[str, Any]:
    """What a page shows of the SLA: time left to the first response and to the resolution."""
    now = clock.now()
    return {"response_left": sla.response_left(ticket, cal, targets, now) if ticket.is_open else None,
            "resolution_left": sla.resolution_left(ticket, cal, targets, now) if ticket.is_open else None,
            "resolution_due": sla.resolution_due(ticket, cal, targets) if ticket.is_open else None,
            "paused": ticket.paused_since is not None and ticket.status == "waiting",
            "targets": targets}


# -- the requester ----------------------------------------------------------------------------------

@bp.route("/tiket")
@login_required
def my_tickets() -> Any:
    result = queries.tickets_of(db.session, current_actor().id, page=page_number(), per_page=page_size())
    return render_template("helpdesk/mine.html", result=result)


_ticket_limit = limit_from_config("SEP_TICKET_RATE_LIMIT")


def _new_page(public: bool) -> Any:
    return lambda form, status: (render_template("helpdesk/new.html", form=form, public=public), status)


@bp.route("/tiket/baru", methods=["GET", "POST"])
@login_required
@limiter.limit(_ticket_limit, methods=["POST"], key_func=per_person)
def new_ticket() -> Any:
    form = TicketForm()
    form.service_id.choices = _services()
    if request.method == "GET":
        if request.args.get("layanan"):
            service = queries.service_by_code(db.session, request.args["layanan"])
            form.service_id.data = service.id if service else None
        return _new_page(public=False)(form, 200)
    return run_action(
        lambda: ops.open_ticket(db.session, current_actor(), type_=form.type.data, service_id=form.service_id.data,
                                subject=form.subject.data, description=form.description.data,
                                impact=form.impact.data, urgency=form.urgency.data,
                                files=request.files.getlist("files"), now=clock.now()),
        form=form, render=_new_page(public=False), back=url_for("helpdesk.new_ticket"),
        success=lambda t: _("Ticket %(ref)s has been opened. We e-mail you at every reply.", ref=t.reference),
        redirect_to=lambda t: url_for("helpdesk.ticket", ticket_id=t.id))


def _ticket(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not ticket.can_view(current_actor()):
        raise NotFound()
    return ticket


def _public_ticket(ticket_id: int, token: str) -> Ticket:
    ticket = ops.ticket_for_token(db.session, ticket_id, token)
    if ticket is None:
        raise NotFound()
    return ticket


def _render_ticket(ticket: Ticket, token: str | None = None, status: int = 200, **forms: Any) -> Any:
    agent = token is None and _is_agent()
    messages = [m for m in ticket.messages if agent or m.public]
    authors = queries.users_by_id(db.session, {m.author_id for m in messages if m.author_id})
    files_by_message: dict[int | None, list[TicketAttachment]] = {}
    for attachment in ticket.attachments:
        files_by_message.setdefault(attachment.message_id, []).append(attachment)
    is_requester = token is not None or (current_user.is_authenticated and ticket.requester_id == current_user.id)
    context: dict[str, Any] = {
        "ticket": ticket, "token": token, "agent": agent, "is_requester": is_requester, "messages": messages,
        "authors": authors, "files_by_message": files_by_message, "reopen_until": ops.reopen_until(ticket),
        "actions": ticket_machine.actions_from(ticket.status),
        "now": clock.now(), "confirm": ConfirmForm(), "survey_elements": SURVEY_ELEMENTS,
        "sla": _clock_of(ticket, sla.targets_for(db.session, ticket.service_id, ticket.priority),
                         calendar.get_calendar()),
        "reply_form": forms.get("reply_form") or RequesterReplyForm(prefix="rr"),
        "survey_form": forms.get("survey_form") or SurveyForm(prefix="sv"),
    }
    if agent:
        assign_form = AssignForm(prefix="as")
        agents = User.active_with_role(db.session, HELPDESK)
        assign_form.assignee_id.choices = [(a.id, a.name) for a in agents]
        assign_form.assignee_id.data = ticket.assignee_id
        priority_form = forms.get("priority_form") or PriorityForm(prefix="pr", impact=ticket.impact,
                                                                  urgency=ticket.urgency)
        context.update(agent_form=forms.get("agent_form") or AgentReplyForm(prefix="ag"), assign_form=assign_form,
                       priority_form=priority_form)
    return render_template("helpdesk/ticket.html", **context), status


@bp.route("/tiket/<int:ticket_id>")
@login_required
def ticket(ticket_id: int) -> Any:
    return _render_ticket(_ticket(ticket_id))


def _ticket_url(ticket_id: int, token: str | None = None) -> str:
    if token:
        return url_for("helpdesk.public_ticket", ticket_id=ticket_id, token=token)
    return url_for("helpdesk.ticket", ticket_id=ticket_id)


def _again(ticket_id: int, token: str | None, form_name: str) -> Any:
    """Show the ticket again with ``form`` and its errors (re-read: the failed action rolled back)."""
    def page(form: Any, status: int) -> Any:
        ticket = _public_ticket(ticket_id, token) if token else _ticket(ticket_id)
        return _render_ticket(ticket, token, status, **{form_name: form})
    return page


def _requester(ticket: Ticket, token: str | None) -> User | None:
    """Who answers as the requester: the holder of a public ticket's link (None), else the
    signed-in requester; agents look at tickets but do not answer as the requester (404)."""
    if token:
        return None
    if ticket.requester_id != current_user.id:
        raise NotFound()
    return current_actor()


def _reply(ticket: Ticket, token: str | None) -> Any:
    who, form = _requester(ticket, token), RequesterReplyForm(prefix="rr")
    return run_action(lambda: ops.requester_reply(db.session, ticket.id, who, form.body.data,
                                                  files=request.files.getlist("rr-files"), now=clock.now()),
                      form=form, render=_again(ticket.id, token, "reply_form"), not_permitted=404,
                      success=_("Your message has been sent."), redirect_to=_ticket_url(ticket.id, token))


def _reopen(ticket: Ticket, token: str | None) -> Any:
    who = _requester(ticket, token)
    return run_action(lambda: ops.reopen(db.session, ticket.id, who, now=clock.now()), not_permitted=404,
                      success=_("The ticket has been reopened."), redirect_to=_ticket_url(ticket.id, token))


def _rate(ticket: Ticket, token: str | None) -> Any:
    who, form = _requester(ticket, token), SurveyForm(prefix="sv")
    return run_action(lambda: ops.rate(db.session, ticket.id, who, {e: getattr(form, e).data for e in SURVEY_ELEMENTS},
                                       form.comment.data, now=clock.now()),
                      form=form, render=_again(ticket.id, token, "survey_form"), not_permitted=404,
                      success=_("Thank you for rating our service."), redirect_to=_ticket_url(ticket.id, token))


def _download(ticket: Ticket, attachment_id: int) -> Any:
    attachment = queries.attachment_of(db.session, ticket.id, attachment_id)
    actor = current_actor() if current_user.is_authenticated else None
    if attachment is None or not attachment.can_download(actor):
        raise NotFound()
    return storage.send(attachment.file)


@bp.route("/tiket/<int:ticket_id>/balas", methods=["POST"])
@login_required
def reply(ticket_id: int) -> Any:
    return _reply(_ticket(ticket_id), None)


@bp.route("/tiket/<int:ticket_id>/buka-kembali", methods=["POST"])
@login_required
def reopen(ticket_id: int) -> Any:
    return _reopen(_ticket(ticket_id), None)


@bp.route("/tiket/<int:ticket_id>/nilai", methods=["POST"])
@login_required
def rate(ticket_id: int) -> Any:
    return _rate(_ticket(ticket_id), None)


@bp.route("/tiket/<int:ticket_id>/lampiran/<int:attachment_id>")
@login_required
def attachment(ticket_id: int, attachment_id: int) -> Any:
    return _download(_ticket(ticket_id), attachment_id)


# -- people without an account ---------------------------------------------------------------------

_public_limit = limit_from_config("SEP_PUBLIC_TICKET_RATE_LIMIT")


@bp.route("/tiket/publik", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def public_form() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("helpdesk.new_ticket"))
    if request.method == "GET" and request.args.get("terkirim") == "1":
        return render_template("helpdesk/check_email.html")
    form = PublicTicketForm()
    form.service_id.choices = _services()
    if request.method == "GET":
        return _new_page(public=True)(form, 200)
    return run_action(
        lambda: ops.request_public_ticket(db.session, email=form.email.data, name=form.name.data, type_=form.type.data,
                                          service_id=form.service_id.data, subject=form.subject.data,
                                          description=form.description.data, now=clock.now()),
        form=form, render=_new_page(public=True), redirect_to=url_for("helpdesk.public_form", terkirim="1"))


def _confirm_page(token: str) -> Any:
    """The confirmation button again; a link that cannot be claimed is the link-problem page (400),
    as for every e-mailed link of the portal."""
    def page(form: ConfirmForm, status: int) -> Any:
        if form.form_errors:
            return render_template("auth/link_problem.html", message=" ".join(form.form_errors)), 400
        return render_template("helpdesk/confirm.html", form=form), status
    return page


@bp.route("/tiket/publik/konfirmasi/<token>", methods=["GET", "POST"])
def public_confirm(token: str) -> Any:
    form = ConfirmForm()
    if request.method == "GET":
        return _confirm_page(token)(form, 200)
    return run_action(
        lambda: ops.confirm_public_ticket(db.session, token, now=clock.now()), form=form,
        render=_confirm_page(token), back=url_for("helpdesk.public_confirm", token=token),
        success=lambda opened: _("Ticket %(ref)s has been opened. Keep the link we e-mailed you: it opens this page.",
                                 ref=opened[0].reference),
        redirect_to=lambda opened: url_for("helpdesk.public_ticket", ticket_id=opened[0].id, token=opened[1]))


@bp.route("/tiket/publik/<int:ticket_id>/<token>")
def public_ticket(ticket_id: int, token: str) -> Any:
    return _render_ticket(_public_ticket(ticket_id, token), token)


@bp.route("/tiket/publik/<int:ticket_id>/<token>/balas", methods=["POST"])
def public_reply(ticket_id: int, token: str) -> Any:
    return _reply(_public_ticket(ticket_id, token), token)


@bp.route("/tiket/publik/<int:ticket_id>/<token>/buka-kembali", methods=["POST"])
def public_reopen(ticket_id: int, token: str) -> Any:
    return _reopen(_public_ticket(ticket_id, token), token)


@bp.route("/tiket/publik/<int:ticket_id>/<token>/nilai", methods=["POST"])
def public_rate(ticket_id: int, token: str) -> Any:
    return _rate(_public_ticket(ticket_id, token), token)


@bp.route("/tiket/publik/<int:ticket_id>/<token>/lampiran/<int:attachment_id>")
def public_attachment(ticket_id: int, token: str, attachment_id: int) -> Any:
    return _download(_public_ticket(ticket_id, token), attachment_id)


# -- the agents ------------------------------------------------------------------------------------

QUEUE_FILTERS = ("status", "priority", "service", "type", "assignee", "q")


def _queue_filter(args: Any) -> queries.TicketFilter:
    """The queue's filters from its query arguments (``assignee``: ``me``, ``none`` or an agent's id)."""
    assignee = args.get("assignee", "")
    return queries.TicketFilter(
        status=args.get("status", "open"), priority=args.get("priority", type=int),
        service_id=args.get("service", type=int), type=args.get("type", ""),
        assignee_id=current_actor().id if assignee == "me" else int(assignee) if assignee.isdigit() else None,
        unassigned=assignee == "none", text=args.get("q", ""))


@bp.route("/helpdesk")
@require_role(HELPDESK)
def queue() -> Any:
    args = request.args
    flt = _queue_filter(args)
    result = queries.ticket_queue(db.session, flt, page=page_number(), per_page=page_size())
    targets, cal = sla.TargetTable(db.session), calendar.get_calendar()
    clocks = {t.id: _clock_of(t, targets(t.service_id, t.priority), cal) for t in result}
    current = urlencode({k: args[k] for k in QUEUE_FILTERS if args.get(k)})
    return render_template("helpdesk/queue.html", result=result, clocks=clocks, services=queries.services(db.session),
                           agents=User.active_with_role(db.session, HELPDESK),
                           views=queries.saved_views(db.session, current_actor().id), args=args, status=flt.status,
                           statuses=STATUSES, ticket_types=TICKET_TYPES, current=current,
                           save_form=SaveViewForm(query=current), confirm=ConfirmForm())


@bp.route("/helpdesk/tampilan", methods=["POST"])
@require_role(HELPDESK)
def save_view() -> Any:
    form = SaveViewForm()
    # Only the queue's own filters are kept, re-encoded: a view is never a way to smuggle text.
    filters = parse_qs(form.query.data or "")
    query = urlencode({k: filters[k][0] for k in QUEUE_FILTERS if filters.get(k)})
    # Only the CSRF token is the form's to check: the name's rules are the operation's, and a
    # refusal is a message on top of the queue, which keeps its filters.
    return run_action(lambda: ops.save_view(db.session, current_actor(), form.name.data or "", query),
                      form=ConfirmForm(), success=_("The view has been saved."),
                      redirect_to=url_for("helpdesk.queue") + ("?" + query if query else ""))


@bp.route("/helpdesk/tampilan/<int:view_id>/hapus", methods=["POST"])
@require_role(HELPDESK)
def delete_view(view_id: int) -> Any:
    return run_action(lambda: ops.delete_view(db.session, current_actor(), view_id), not_permitted=404,
                      success=_("The view has been deleted."), redirect_to=url_for("helpdesk.queue"))


@bp.route("/tiket/<int:ticket_id>/tanggapi", methods=["POST"])
@require_role(HELPDESK)
def agent_reply(ticket_id: int) -> Any:
    _ticket(ticket_id)
    form = AgentReplyForm(prefix="ag")
    return run_action(lambda: ops.reply(db.session, ticket_id, current_actor(), form.body.data,
                                        public=form.visibility.data == "public", then=form.then.data or None,
                                        files=request.files.getlist("ag-files"), now=clock.now()),
                      form=form, render=_again(ticket_id, None, "agent_form"), success=_("The message has been saved."),
                      redirect_to=_ticket_url(ticket_id))


@bp.route("/tiket/<int:ticket_id>/tugaskan", methods=["POST"])
@require_role(HELPDESK)
def assign(ticket_id: int) -> Any:
    _ticket(ticket_id)
    form = AssignForm(prefix="as")
    form.assignee_id.choices = []
    return run_action(lambda: ops.assign(db.session, ticket_id, current_actor(), form.assignee_id.data or 0,
                                         now=clock.now()),
                      form=form, success=_("The ticket has been assigned."), redirect_to=_ticket_url(ticket_id))


@bp.route("/tiket/<int:ticket_id>/ambil", methods=["POST"])
@require_role(HELPDESK)
def take(ticket_id: int) -> Any:
    _ticket(ticket_id)
    return run_action(lambda: ops.assign(db.session, ticket_id, current_actor(), current_actor().id, now=clock.now()),
                      success=_("The ticket is now yours."), redirect_to=_ticket_url(ticket_id))


@bp.route("/tiket/<int:ticket_id>/tunggu", methods=["POST"])
@require_role(HELPDESK)
def wait(ticket_id: int) -> Any:
    _ticket(ticket_id)
    return run_action(lambda: ops.wait_on_requester(db.session, ticket_id, current_actor(), now=clock.now()),
                      success=_("The ticket waits on the requester; the SLA clock is paused."),
                      redirect_to=_ticket_url(ticket_id))


@bp.route("/tiket/<int:ticket_id>/selesai", methods=["POST"])
@require_role(HELPDESK)
def resolve(ticket_id: int) -> Any:
    _ticket(ticket_id)
    return run_action(lambda: ops.resolve(db.session, ticket_id, current_actor(), now=clock.now()),
                      success=_("The ticket has been resolved."), redirect_to=_ticket_url(ticket_id))


@bp.route("/tiket/<int:ticket_id>/prioritas", methods=["POST"])
@require_role(HELPDESK)
def set_priority(ticket_id: int) -> Any:
    _ticket(ticket_id)
    form = PriorityForm(prefix="pr")
    return run_action(lambda: ops.set_priority(db.session, ticket_id, current_actor(), impact=form.impact.data,
                                               urgency=form.urgency.data),
                      form=form, render=_again(ticket_id, None, "priority_form"),
                      success=_("The priority has been changed."), redirect_to=_ticket_url(ticket_id))


# -- the service catalogue and its standar pelayanan (public), the operator's edit --------------------

def working_time(minutes: int) -> str:
    """``240`` → ``4 jam kerja``; ``1530`` → ``25,5 jam kerja``; ``30`` → ``30 menit kerja``."""
    if minutes < 60:
        return ngettext("%(num)d working minute", "%(num)d working minutes", minutes)
    if minutes % 60 == 0:
        return ngettext("%(num)d working hour", "%(num)d working hours", minutes // 60)
    return _("%(hours)s working hours", hours=format_decimal(minutes / 60, 1))


def working_hours_text() -> str:
    """The helpdesk's hours from SEP_WORKING_HOURS, e.g. ``Senin–Kamis 07.30–16.00, Jumat 07.30–16.30``."""
    from babel.dates import get_day_names

    from sep_portal.core.calendar import parse_working_hours

    hours = parse_working_hours(current_app.config.get("SEP_WORKING_HOURS"))
    names = get_day_names("wide", locale=current_language())
    groups: list[tuple[int, int, Any]] = []
    for day in sorted(hours):
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == hours[day]:
            groups[-1] = (groups[-1][0], day, hours[day])
        else:
            groups.append((day, day, hours[day]))
    parts = []
    for first, last, (start, end) in groups:
        days = names[first].capitalize() + (f"–{names[last].capitalize()}" if last != first else "")
        parts.append(f"{days} {start:%H.%M}–{end:%H.%M}")
    return ", ".join(parts)


def _service(code: str) -> HelpdeskService:
    service = queries.service_by_code(db.session, code)
    if service is None or not service.can_view(current_user):
        raise NotFound()
    return service


@bp.route("/layanan")
def services() -> Any:
    return render_template("helpdesk/services.html", rows=queries.services(db.session, active_only=True))


@bp.route("/layanan/<code>")
def service(code: str) -> Any:
    item = _service(code)
    targets = sla.TargetTable(db.session).of_service(item.id)
    return render_template("helpdesk/service.html", service=item, targets=targets,
                           working_time=working_time, working_hours=working_hours_text(),
                           helpdesk_email=current_app.config["SEP_HELPDESK_EMAIL"],
                           can_edit=current_user.is_authenticated and current_user.has_role(SUPERADMIN))


def _services_page(form: NewServiceForm, status: int) -> Any:
    return render_template("helpdesk/services_admin.html", rows=queries.services(db.session), form=form,
                           confirm=ConfirmForm()), status


@bp.route("/admin/layanan", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def manage_services() -> Any:
    form = NewServiceForm()
    if request.method == "GET":
        return _services_page(form, 200)
    return run_action(lambda: ops.create_service(db.session, current_actor(), code=form.code.data,
                                                 name=form.name.data, description=form.description.data),
                      form=form, render=_services_page, back=url_for("helpdesk.manage_services"),
                      success=_("The service was added. Complete its service standard."),
                      redirect_to=lambda created: url_for("helpdesk.edit_service", code=created.code))


@bp.route("/admin/layanan/<code>/<any(aktifkan, nonaktifkan):action>", methods=["POST"])
@require_role(SUPERADMIN)
def switch_service(code: str, action: str) -> Any:
    item = _service(code)
    on = action == "aktifkan"
    return run_action(lambda: ops.set_service_active(db.session, current_actor(), item.id, on),
                      success=_("The service is available again.") if on else
                      _("The service is switched off: no new tickets can choose it."),
                      redirect_to=url_for("helpdesk.manage_services"))


@bp.route("/admin/layanan/<code>", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def edit_service(code: str) -> Any:
    item = _service(code)
    form = ServiceForm(obj=item)

    def page(form: ServiceForm, status: int) -> Any:
        return render_template("helpdesk/service_edit.html", form=form, service=_service(code)), status

    if request.method == "GET":
        return page(form, 200)
    return run_action(lambda: ops.update_service(db.session, current_actor(), item.id,
                                                 {k: getattr(form, k).data for k in ops.SERVICE_FIELDS},
                                                 now=clock.now()),
                      form=form, render=page, success=_("The service was saved."),
                      redirect_to=url_for("helpdesk.service", code=code))


# -- the operator's SLA targets ---------------------------------------------------------------------

@bp.route("/admin/sla", methods=["GET", "POST"])
@require_role(SUPERADMIN)
def sla_targets() -> Any:
    services = queries.services(db.session)
    code = request.values.get("layanan", "")
    service = next((x for x in services if x.code == code), None)
    if code and service is None:
        raise NotFound()
    service_id = service.id if service else None

    def page(form: SlaForm, status: int) -> Any:
        return render_template("helpdesk/sla_targets.html", form=form, services=services, service=service,
                               general=queries.sla_rows(db.session, None)), status

    form = SlaForm()
    if request.method == "GET":
        for p, row in queries.sla_rows(db.session, service_id).items():
            getattr(form, f"p{p}_first").data = row.first_response_minutes
            getattr(form, f"p{p}_resolution").data = row.resolution_minutes
        return page(form, 200)
    return run_action(
        lambda: ops.set_sla_targets(db.session, current_actor(), service_id, {
            p: (getattr(form, f"p{p}_first").data, getattr(form, f"p{p}_resolution").data) for p in (1, 2, 3, 4)}),
        form=form, render=page,
        success=_("The SLA targets have been saved. They apply at once, also to open tickets."),
        redirect_to=url_for("helpdesk.sla_targets", layanan=code or None))
