"""Sign-in, registration, TOTP and password reset."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from sep_portal.auth import views  # noqa: E402,F401
