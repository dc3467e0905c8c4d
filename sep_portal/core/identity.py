"""The rules for what a person types to be known by the portal: an e-mail address (normalised once,
so one address is one account whatever its case) and a password (long, not guessable, not made of
the person's own identifiers). Used by registration, activation, password changes and every place
an account is created or looked up by e-mail."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from sep_portal.core.errors import DomainError

MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS = frozenset({
    "password1234", "passwordpassword", "123456789012", "qwertyuiopas", "indonesia123", "indonesia2026",
    "bismillah123", "administrator", "kominfo12345", "rahasia12345", "1234567890123",
})


def email_key(value: str | None) -> str:
    """An address as typed into a lookup (sign-in, the API, a recipient), in the form stored addresses
    are compared in; never an error, so a lookup of nonsense simply finds nobody."""
    return (value or "").strip().lower()


def normalize_email(value: str) -> str:
    """The address as stored and compared (lower case); DomainError on the ``email`` field if it is
    not an address. Deliverability is not checked: government mail servers are often unreachable
    from where the portal runs."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise DomainError("email", _("Enter a valid e-mail address.")) from None
    return email_key(result.normalized)


def password_problem(password: str, *, email: str | None = None, nip: str | None = None) -> str | None:
    """What is wrong with ``password`` for the account with ``email`` and ``nip``, or None."""
    minimum = current_app.config["SEP_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("The password must have at least %(n)d characters.", n=minimum)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password may have at most 128 characters.")
    lowered = password.lower()
    if len(set(lowered)) < 4 or lowered in COMMON_PASSWORDS:
        return _("This password is too easy to guess.")
    local = email.split("@")[0].lower() if email else ""
    if len(local) >= 4 and local in lowered:
        return _("The password must not contain your e-mail address.")
    if nip and nip in password:
        return _("The password must not contain your NIP.")
    return None


def ensure_good_password(password: str, *, email: str | None = None, nip: str | None = None) -> None:
    """Raise DomainError on the ``password`` field unless the password follows the rules."""
    problem = password_problem(password, email=email, nip=nip)
    if problem:
        raise DomainError("password", problem)
