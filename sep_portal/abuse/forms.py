"""Misuse forms: input shape only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from sep_portal.core.forms import strip_filter

REQUIRED = _l("This field is required.")


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class ReportForm(FlaskForm):
    target = StringField(_l("E-mail or NIP of the account"), validators=[Length(max=254)], filters=[strip_filter])
    category_id = SelectField(_l("Kind of misuse"), coerce=_int_or_none, validate_choice=False)
    description = TextAreaField(_l("What happened"), validators=[Length(max=5000)],
                                description=_l("Where and when, what was sent, to whom. Quote the message if you can."))
    files = MultipleFileField(_l("Evidence (optional)"), description=_l("Screenshots or documents: PDF, JPEG or PNG, "
                                                                        "at most 5 files."))


class PublicReportForm(ReportForm):
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)],
                       filters=[strip_filter], description=_l("We send a link to confirm the report."))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Internal note"), validators=[DataRequired(REQUIRED), Length(max=5000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reasoning"), validators=[Length(max=4000)])


class SubstantiateForm(FlaskForm):
    material = TextAreaField(_l("What the misuse is (shown to the user in the letter)"),
                             validators=[Length(max=8000)])


class EvaluateForm(FlaskForm):
    decision = RadioField(_l("Evaluation"), choices=[("accept", _l("Accept the reply: close with a strike")),
                                                     ("reject", _l("Reject the reply: the pejabat deactivates"))],
                          validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reasoning"), validators=[Length(max=4000)])


class DeactivateForm(FlaskForm):
    permanent = BooleanField(_l("Deactivate permanently (repeat misuse)"))
    reason = TextAreaField(_l("Reasoning"), validators=[Length(max=4000)],
                           description=_l("Shown to the user and, as a copy, to the Sekretaris of the body."))


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your reply"), validators=[Length(max=8000)])
    files = MultipleFileField(_l("Attachments (optional)"), description=_l("PDF, JPEG or PNG, at most 5 files."))


class ReactivationForm(FlaskForm):
    user_id = SelectField(_l("Account"), coerce=_int_or_none, validate_choice=False)
    statement = TextAreaField(_l("Statement of the body"), validators=[Length(max=8000)],
                              description=_l("Why the account should be reactivated, and what the body has done."))
    letter = FileField(_l("Letter (PDF, optional)"))


class DecideForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("approve", _l("Reactivate the account")), ("reject", _l("Refuse"))],
                          validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reasoning"), validators=[Length(max=4000)])


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=30)], filters=[strip_filter])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)], filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=2000)])
