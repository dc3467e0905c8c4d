"""Home, dashboards and the language switch."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from sep_portal.main import views  # noqa: E402,F401
