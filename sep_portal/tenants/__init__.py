"""Government bodies as tenants: the Admin Pengelola's accounts and imports, the Sekretaris'
view of its body, and Ditjen's view of every tenant.

The views are imported by the application factory, not here: the models of this package are
imported by almost every other package, and importing the views with them would be circular.
"""
from flask import Blueprint

bp = Blueprint("tenants", __name__)
