"""Bimtek forms: input shape only; the operations check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField, TextAreaField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from sep_portal.bimtek.labels import MODE_LABELS
from sep_portal.core.forms import strip_filter

REQUIRED = _l("This field is required.")


class SessionForm(FlaskForm):
    topic = StringField(_l("Topic"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=10000)],
                                description=_l("What participants will learn and what they should prepare."))
    date = DateField(_l("Date"), validators=[InputRequired(_l("Enter a valid date."))])
    start_time = TimeField(_l("Starts at (WIB)"), validators=[InputRequired(_l("Enter a valid time."))])
    end_time = TimeField(_l("Ends at (WIB)"), validators=[InputRequired(_l("Enter a valid time."))])
    mode = RadioField(_l("Mode"), choices=[SelectChoice(code, label) for code, label in MODE_LABELS.items()],
                      validators=[InputRequired(REQUIRED)], default="in_person")
    place = StringField(_l("Place (in person)"), validators=[Optional(), Length(max=300)], filters=[strip_filter],
                        description=_l("Building, room and address."))
    online_url = StringField(_l("Meeting link (online)"), validators=[Optional(), Length(max=500)],
                             filters=[strip_filter], description=_l("A full https:// address."))
    capacity = IntegerField(_l("Capacity (seats)"), validators=[InputRequired(_l("Enter a whole number."))])


class CancelSessionForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the cancellation"), validators=[DataRequired(REQUIRED), Length(max=4000)],
                           description=_l("Sent to everyone registered or on the waiting list."))
