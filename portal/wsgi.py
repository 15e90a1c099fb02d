"""WSGI entry point, for servers that speak only HTTP; live feeds need the ASGI application."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.preflight import check_or_exit

# The server stops at once, with one line, if the database, Redis or the broker cannot be used.
check_or_exit(database=True, redis=True, broker=True)
application = get_wsgi_application()
