"""Helpdesk forms: input shape only (the rules are in operations)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import EmailField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from sep_portal.core.forms import strip_filter

REQUIRED = _l("This field is required.")
FILES_HINT = _l("PDF, JPEG or PNG, at most 5 files.")

TYPE_CHOICES = [("incident", _l("Incident: something does not work")),
                ("service_request", _l("Service request: I need something done")),
                ("question", _l("Question: I want to know how"))]
IMPACT_CHOICES = [(3, _l("Only me")), (2, _l("Several people")), (1, _l("A whole unit or body"))]
URGENCY_CHOICES = [(3, _l("It can wait")), (2, _l("It hinders my work")), (1, _l("My work has stopped"))]
SCALE = [(4, _l("4 – Very good")), (3, _l("3 – Good")), (2, _l("2 – Poor")), (1, _l("1 – Very poor"))]


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class _TicketFields(FlaskForm):
    type = RadioField(_l("Kind of request"), choices=TYPE_CHOICES, validators=[DataRequired(REQUIRED)])
    service_id = SelectField(_l("Service"), coerce=_int_or_none, validate_choice=False)
    subject = StringField(_l("Subject"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter],
                          description=_l("A short summary. Matching help articles are shown as you type."))
    description = TextAreaField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=10000)],
                                description=_l("What you did, what you expected and what happened; "
                                               "the text of any error message."))


class TicketForm(_TicketFields):
    impact = SelectField(_l("Who is affected"), choices=IMPACT_CHOICES, coerce=int, default=3)
    urgency = SelectField(_l("How urgent"), choices=URGENCY_CHOICES, coerce=int, default=3)
    files = MultipleFileField(_l("Attachments (optional)"), description=FILES_HINT)


class PublicTicketForm(_TicketFields):
    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)],
                       filters=[strip_filter], description=_l("We send a link to confirm the request."))


class AgentReplyForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED), Length(max=10000)])
    visibility = RadioField(_l("Visible to"), choices=[("public", _l("Public reply: the requester sees it")),
                                                       ("internal", _l("Internal note: helpdesk only"))],
                            default="public", validators=[DataRequired(REQUIRED)])
    then = SelectField(_l("Then"), choices=[("", _l("Keep the status")),
                                            ("wait", _l("Wait on the requester (the SLA clock pauses)")),
                                            ("resolve", _l("Resolve the ticket"))], default="")
    files = MultipleFileField(_l("Attachments (optional)"), description=FILES_HINT)


class RequesterReplyForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(REQUIRED), Length(max=10000)])
    files = MultipleFileField(_l("Attachments (optional)"), description=FILES_HINT)


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Agent"), coerce=_int_or_none, validate_choice=False)


class PriorityForm(FlaskForm):
    impact = SelectField(_l("Who is affected"), choices=IMPACT_CHOICES, coerce=int)
    urgency = SelectField(_l("How urgent"), choices=URGENCY_CHOICES, coerce=int)


class SurveyForm(FlaskForm):
    speed = RadioField(_l("Speed of the service"), choices=SCALE, coerce=int, validators=[DataRequired(REQUIRED)])
    competence = RadioField(_l("Competence of the agent"), choices=SCALE, coerce=int,
                            validators=[DataRequired(REQUIRED)])
    clarity = RadioField(_l("Clarity of the answer"), choices=SCALE, coerce=int, validators=[DataRequired(REQUIRED)])
    courtesy = RadioField(_l("Courtesy"), choices=SCALE, coerce=int, validators=[DataRequired(REQUIRED)])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


class SaveViewForm(FlaskForm):
    name = StringField(_l("Name of the view"), validators=[DataRequired(REQUIRED), Length(max=80)],
                       filters=[strip_filter])
    query = StringField(validators=[Length(max=500)])


# -- the service catalogue ------------------------------------------------------------------------------

class NewServiceForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)], filters=[strip_filter],
                       description=_l("Lower-case letters, digits and hyphens; part of the page address."))
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class ServiceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    provider = StringField(_l("Service provider"), validators=[Optional(), Length(max=200)], filters=[strip_filter])
    manager = StringField(_l("Service manager"), validators=[Optional(), Length(max=200)], filters=[strip_filter])
    technical_manager = StringField(_l("Technical manager"), validators=[Optional(), Length(max=200)],
                                    filters=[strip_filter])
    access = TextAreaField(_l("How to access the service"), validators=[Optional(), Length(max=4000)])
    availability_target = StringField(_l("Availability target"), validators=[Optional(), Length(max=100)],
                                      filters=[strip_filter])
    requirements = TextAreaField(_l("Requirements"), validators=[Optional(), Length(max=8000)])
    procedure = TextAreaField(_l("Procedure"), validators=[Optional(), Length(max=8000)])
    time_limit = TextAreaField(_l("Time to complete"), validators=[Optional(), Length(max=4000)])
    cost = TextAreaField(_l("Cost"), validators=[Optional(), Length(max=2000)],
                         description=_l("Leave empty when the service is free of charge."))
    product = TextAreaField(_l("Service product"), validators=[Optional(), Length(max=4000)])
    complaints = TextAreaField(_l("Complaints, suggestions and feedback"), validators=[Optional(), Length(max=4000)])


class SlaForm(FlaskForm):
    """Working minutes per priority; for one service, empty rows use the general targets."""


for _p in (1, 2, 3, 4):
    setattr(SlaForm, f"p{_p}_first", IntegerField(_l("First response (working minutes)"),
                                                  validators=[Optional(), NumberRange(min=1)]))
    setattr(SlaForm, f"p{_p}_resolution", IntegerField(_l("Resolution (working minutes)"),
                                                       validators=[Optional(), NumberRange(min=1)]))
