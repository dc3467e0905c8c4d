"""Operator (superadmin) pages: working-day calendar, audit log, outbox."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from sep_portal.admin import views  # noqa: E402,F401
