"""Misuse of SEP: abuse reports, cases, warning letters, deactivation and reactivation (DESIGN §4).

The views are imported by the application factory (see tenants/__init__.py for why)."""
from flask import Blueprint

bp = Blueprint("abuse", __name__)
