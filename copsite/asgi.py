"""ASGI entry point (not used by the default deployment, which runs gunicorn on WSGI)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

application = get_asgi_application()
