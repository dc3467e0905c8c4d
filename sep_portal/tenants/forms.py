"""Tenant administration forms: input shape only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from sep_portal.core.forms import strip_filter

REQUIRED = _l("This field is required.")


class AccountForm(FlaskForm):
    """An ASN account. There is deliberately no field for the role, the body or the status: they
    are never taken from the form (mass assignment)."""

    name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    nip = StringField(_l("NIP"), validators=[DataRequired(REQUIRED), Length(max=30)], filters=[strip_filter],
                      description=_l("18 digits: the NIP of a PNS or the NI PPPK of a PPPK."),
                      render_kw={"inputmode": "numeric"})
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)], filters=[strip_filter],
                       description=_l("The activation link is sent here."))
    unit = StringField(_l("Work unit (unit kerja)"), validators=[Length(max=200)], filters=[strip_filter])
    position = StringField(_l("Position (jabatan)"), validators=[Length(max=200)], filters=[strip_filter])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), description=_l("Columns: nip, nama, email, unit_kerja, jabatan. "
                                                            "Download the template below."))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class DecisionNoteForm(FlaskForm):
    """The second official's answer to a proposal: a note, required to refuse (the operation
    checks it)."""

    note = TextAreaField(_l("Note (required to refuse)"), validators=[Length(max=2000)])


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class HandoverForm(FlaskForm):
    """A request to become the Sekretaris BP of an existing tenant. The body list is rendered by the
    template (the application form's picker); the operation checks the id."""

    body_id = SelectField(_l("Government body"), coerce=_int_or_none, validators=[Optional()], validate_choice=False,
                          description=_l("Only bodies that already use SEP are listed. A body that does not use SEP "
                                         "yet applies first."))
    position = StringField(_l("Your position (jabatan)"), filters=[strip_filter], validators=[Length(max=200)],
                           description=_l("As written in the SK of your appointment."))
    sk_file = FileField(_l("SK of your appointment as Sekretaris (PDF)"),
                        description=_l("The decree appointing you; the verifier compares it with your name and NIP."))


class HandoverDecisionForm(FlaskForm):
    """The verifier's answer: a reason, required to refuse (the operation checks it)."""

    reason = TextAreaField(_l("Reason (required to refuse; sent to the requester)"), validators=[Length(max=2000)])
