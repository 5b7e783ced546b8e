"""The WSGI entry point gunicorn loads (``server.wsgi:app``); settings come from ``EVKG_*``."""

from server import create_app

app = create_app()
