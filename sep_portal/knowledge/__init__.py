"""Knowledge base (FAQ articles at /bantuan), the public service catalogue with its standar
pelayanan (/layanan) and the versioned SOP library (/sop): DESIGN §5.

The views are imported by the application factory (see tenants/__init__.py for why)."""
from flask import Blueprint

bp = Blueprint("knowledge", __name__)
