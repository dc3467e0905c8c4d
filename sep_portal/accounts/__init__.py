"""Accounts (users and their roles) of every kind: Ditjen staff, Sekretaris, Admin Pengelola, ASN."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/akun")

from sep_portal.accounts import views  # noqa: E402,F401
