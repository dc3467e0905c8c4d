"""Application forms: input shape only. Choices that come from the database are set by the view."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from sep_portal.applications.labels import GROUND_LABELS
from sep_portal.core.forms import strip_filter
from sep_portal.tenants.labels import BODY_KIND_LABELS

REQUIRED = _l("This field is required.")

BODY_KIND_CHOICES = [("", _l("— choose —")), *BODY_KIND_LABELS.items()]
IDENTITY_CHOICES = [("kpns", _l("KPNS (civil servant card)")),
                    ("sk_pengangkatan", _l("SK Pengangkatan (appointment decree)"))]
GROUND_CHOICES = list(GROUND_LABELS.items())
RETURN_CHOICES = [
    ("surat_kuasa", _l("Surat kuasa")),
    ("identity_document", _l("KPNS or SK Pengangkatan of the Admin Pengelola")),
    ("admin_data", _l("Data of the proposed Admin Pengelola")),
    ("body_data", _l("Data of the government body")),
    ("other", _l("Other (see the message)")),
]


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApplicationForm(FlaskForm):
    # Rendered by the template from the reference list (grouped by kind); the operation checks the id.
    body_id = SelectField(_l("Government body"), coerce=_int_or_none, validators=[Optional()], validate_choice=False,
                          description=_l("Choose your body from the list. If it is not there, leave this empty and "
                                         "propose it below."))
    proposed_body_name = StringField(_l("Name of a body not in the list"), filters=[strip_filter],
                                     validators=[Length(max=300)])
    proposed_body_kind = SelectField(_l("Kind of that body"), choices=BODY_KIND_CHOICES, validators=[Optional()])
    admin_name = StringField(_l("Full name"), filters=[strip_filter], validators=[Length(max=200)])
    admin_nip = StringField(_l("NIP"), filters=[strip_filter], validators=[Length(max=30)],
                            description=_l("18 digits, as on the KPNS."), render_kw={"inputmode": "numeric"})
    admin_email = StringField(_l("E-mail"), filters=[strip_filter], validators=[Length(max=254)],
                              description=_l("The activation link is sent here. Use the official address (go.id)."))
    admin_position = StringField(_l("Position (jabatan)"), filters=[strip_filter], validators=[Length(max=200)])
    identity_doc_type = RadioField(_l("Identity document of the Admin Pengelola"), choices=IDENTITY_CHOICES,
                                   validators=[Optional()])
    surat_kuasa = FileField(_l("Surat kuasa (PDF)"))
    identity_file = FileField(_l("KPNS or SK Pengangkatan (PDF, JPEG or PNG)"))


class ReturnForm(FlaskForm):
    missing = CheckboxesField(_l("What is missing or wrong"), choices=RETURN_CHOICES)
    message = TextAreaField(_l("Message to the applicant"), validators=[Length(max=4000)])


class CompleteForm(FlaskForm):
    confirm_body = BooleanField(_l("I have checked that the proposed body is a government body"))


class RecommendForm(FlaskForm):
    recommendation = RadioField(_l("Recommendation"), choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
                                validators=[InputRequired(REQUIRED)])
    grounds = CheckboxesField(_l("Grounds for rejection"), choices=GROUND_CHOICES)
    note = TextAreaField(_l("Reasoning"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class ProposeRejectionForm(FlaskForm):
    """At verification: a file that plainly fails ground (a) or (b) is proposed for rejection."""

    grounds = CheckboxesField(_l("Grounds for rejection"), choices=[(g, GROUND_LABELS[g]) for g in ("a", "b")])
    note = TextAreaField(_l("Reasoning"), validators=[DataRequired(REQUIRED), Length(max=4000)])


class ApproveForm(FlaskForm):
    reason = TextAreaField(_l("Note in the decision letter (optional)"), validators=[Length(max=4000)])


class RejectForm(FlaskForm):
    grounds = CheckboxesField(_l("Grounds for rejection"), choices=GROUND_CHOICES)
    reason = TextAreaField(_l("Reasoning"), validators=[Length(max=4000)])


class LetterCheckForm(FlaskForm):
    """The PDF someone received, compared with the registered letter (and kept nowhere)."""

    file = FileField(_l("The letter you received (PDF)"),
                     description=_l("The file is only compared with the registered letter; it is not stored."))
