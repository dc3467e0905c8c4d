"""Helpdesk (DESIGN §5): tickets measured against SLAs in working hours, from signed-in users and
from a public form; the agents' queue; satisfaction surveys.

The views are imported by the application factory (see tenants/__init__.py for why)."""
from flask import Blueprint

bp = Blueprint("helpdesk", __name__)
