"""WSGI entry point: ``gunicorn cem.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cem.settings")

application = get_wsgi_application()
