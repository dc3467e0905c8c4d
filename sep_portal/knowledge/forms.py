"""Knowledge base and SOP forms: input shape only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from sep_portal.core.forms import strip_filter

REQUIRED = _l("This field is required.")
PLAIN_TEXT = _l("Plain text: separate paragraphs with an empty line. HTML is shown as typed, not applied.")


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False)
    language = SelectField(_l("Language of the article"), choices=[("id", "Bahasa Indonesia"), ("en", "English")],
                           default="id")
    body = TextAreaField(_l("Text"), validators=[DataRequired(REQUIRED), Length(max=50000)], description=PLAIN_TEXT)
    title_en = StringField(_l("English title (optional)"), validators=[Optional(), Length(max=200)],
                           filters=[strip_filter])
    body_en = TextAreaField(_l("English text (optional)"), validators=[Optional(), Length(max=50000)])


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)], filters=[strip_filter],
                       description=_l("Lower-case letters, digits and hyphens, e.g. akun."))
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)], filters=[strip_filter])
    name_en = StringField(_l("English name (optional)"), validators=[Optional(), Length(max=100)],
                          filters=[strip_filter])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Order in the list"), default=0, validators=[Optional(), NumberRange(0, 1000)])


class SopForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=40)], filters=[strip_filter],
                       description=_l("Lower-case letters, digits and hyphens, e.g. sop-aktivasi-akun."))
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    category = StringField(_l("Category (optional)"), validators=[Optional(), Length(max=100)],
                           filters=[strip_filter])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=4000)])


class SopVersionForm(FlaskForm):
    file = FileField(_l("Document (PDF)"))
    change_note = TextAreaField(_l("What changed"), validators=[DataRequired(REQUIRED), Length(max=4000)])
