"""WSGI entry point: `gunicorn wsgi:app` (SEP_ENV=production)."""
from sep_portal import create_app

app = create_app()
