"""Sign-in and registration forms: input shape only, no database queries."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import PasswordInput

from sep_portal.core.errors import DomainError
from sep_portal.core.forms import strip_filter
from sep_portal.core.identity import normalize_email, password_problem
from sep_portal.core.nip import nip_problem, normalize_nip

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)], filters=[strip_filter],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(REQUIRED), Length(max=24)], filters=[strip_filter],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True})


class EnrolForm(FlaskForm):
    code = StringField(_l("6-digit code shown by the app"), validators=[DataRequired(REQUIRED), Length(max=8)],
                       filters=[strip_filter],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True})


class ReauthEnrolForm(EnrolForm):
    """Enrolment by a signed-in user: the password is asked again, so a session left open on a
    shared computer cannot be used to move two-step verification to another phone."""

    current_password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})


class ReauthForm(FlaskForm):
    current_password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})


class RegisterForm(FlaskForm):
    """Every problem of a registration is found in one submit: each field checks its own rules
    (the operation checks them again). The typed passwords come back with the errors, so a
    mistake in one field does not cost retyping two others; the page is never cached."""

    name = StringField(_l("Full name (with titles)"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       filters=[strip_filter], render_kw={"autocomplete": "name"})
    nip = StringField(_l("NIP"), validators=[DataRequired(REQUIRED), Length(max=24)], filters=[strip_filter],
                      description=_l("18 digits, as on your civil-servant card (NIP) or your PPPK card (NI PPPK)."),
                      render_kw={"inputmode": "numeric"})
    position = StringField(_l("Position"), validators=[DataRequired(REQUIRED), Length(max=200)],
                           filters=[strip_filter], description=_l("For example: Sekretaris Daerah"))
    organisation = StringField(_l("Government body"), validators=[DataRequired(REQUIRED), Length(max=300)],
                               filters=[strip_filter],
                               description=_l("The ministry, agency or local government you are secretary of."))
    email = EmailField(_l("Official e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)],
                       filters=[strip_filter], description=_l("Preferably an address on a go.id domain."),
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             widget=PasswordInput(hide_value=False),
                             description=_l("At least 12 characters. A short sentence is easy to remember."),
                             render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField(_l("Repeat the password"),
                                     validators=[DataRequired(REQUIRED),
                                                 EqualTo("password", _l("The two passwords are not the same."))],
                                     widget=PasswordInput(hide_value=False),
                                     render_kw={"autocomplete": "new-password"})

    def validate_nip(self, field: Field) -> None:
        problem = nip_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_email(self, field: Field) -> None:
        try:
            normalize_email(field.data or "")
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    def validate_password(self, field: Field) -> None:
        problem = password_problem(field.data or "", email=self.email.data or None,
                                   nip=normalize_nip(self.nip.data or "") or None)
        if problem:
            raise ValidationError(problem)


class EmailForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)], filters=[strip_filter],
                       render_kw={"autocomplete": "email"})


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             description=_l("At least 12 characters."), render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField(_l("Repeat the new password"),
                                     validators=[DataRequired(REQUIRED),
                                                 EqualTo("password", _l("The two passwords are not the same."))],
                                     render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
