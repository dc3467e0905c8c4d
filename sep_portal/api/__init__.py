"""The integration API (/api/v1): account status for SEP and other systems, and webhooks."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
