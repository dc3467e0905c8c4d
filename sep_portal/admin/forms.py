from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from sep_portal.core.forms import strip_filter

REQUIRED = _l("This field is required.")


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter a valid date."))])
    kind = SelectField(_l("Kind"), choices=[
        SelectChoice("cuti_bersama", _l("Cuti bersama (collective leave)")),
        SelectChoice("closure", _l("Office closure")),
        SelectChoice("working_day", _l("Working day after all (cancels a holiday)")),
    ])
    description = StringField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=200)],
                              filters=[strip_filter])
    source = StringField(_l("Legal basis / source"), validators=[DataRequired(REQUIRED), Length(max=300)],
                         filters=[strip_filter], description=_l("For example: the number and date of the decree."))


class ConfirmYearForm(FlaskForm):
    """The superadmin has checked a year's holidays and cuti bersama against the decree."""

    decree = StringField(_l("Decree (number and date)"), validators=[DataRequired(REQUIRED), Length(max=300)],
                         filters=[strip_filter],
                         description=_l("For example: SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB "
                                        "Nomor … Tahun …"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, changes nothing

    action = StringField(_l("Action"), validators=[Optional(), Length(max=100)], filters=[strip_filter])
    actor = StringField(_l("Actor (user id)"), validators=[Optional(), Length(max=20)], filters=[strip_filter])
    target_type = StringField(_l("Target type"), validators=[Optional(), Length(max=50)], filters=[strip_filter])
    target_id = StringField(_l("Target id"), validators=[Optional(), Length(max=64)], filters=[strip_filter])
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("Until (date)"), validators=[Optional()])


class ServiceAccountForm(FlaskForm):
    name = StringField(_l("System"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       description=_l("For example: SEP production, or the HR system of a body."))
    scope = SelectField(_l("Scope"), choices=[SelectChoice("read", _l("Read every tenant")),
                                              SelectChoice("tenant", _l("One tenant only"))])
    body_code = StringField(_l("Code of the government body (for one tenant)"), validators=[Length(max=32)])


class WebhookForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    url = StringField(_l("Address (URL)"), validators=[DataRequired(REQUIRED), Length(max=500)],
                      description=_l("The portal POSTs signed JSON here."))
    body_code = StringField(_l("Only events of this body (code; empty: every body)"), validators=[Length(max=32)])


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search, changes nothing

    q = StringField(_l("Name, NIP or e-mail"), validators=[Optional(), Length(max=200)], filters=[strip_filter],
                    description=_l("A NIP or an e-mail address finds exactly that account; a name finds the "
                                   "accounts whose name starts with it."))
    anywhere = BooleanField(_l("The name may be anywhere in the full name (slower)"))
    role = SelectField(_l("Role"), validators=[Optional()])


class OperatorActionForm(FlaskForm):
    """One of the operator's changes to an account: always with a reason and a confirmation."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000)],
                           description=_l("Recorded in the audit log and sent to the person by e-mail."))
    confirm = BooleanField(_l("I confirm this change"), validators=[DataRequired(_l("Tick the box to confirm."))])


class RoleChangeForm(OperatorActionForm):
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)])
