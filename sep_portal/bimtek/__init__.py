"""Bimbingan teknis (DESIGN §5): technical-guidance sessions, registration with a waiting list,
reminders, attendance and certificates of attendance.

The views are imported by the application factory (see tenants/__init__.py for why)."""
from flask import Blueprint

bp = Blueprint("bimtek", __name__)
