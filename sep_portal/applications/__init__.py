"""Applications (permohonan) to use SEP: from the Sekretaris' upload to the Dirjen's decision."""
from flask import Blueprint

bp = Blueprint("applications", __name__)

from sep_portal.applications import views  # noqa: E402,F401
