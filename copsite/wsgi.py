"""WSGI entry point, served by gunicorn in production."""

import gc
import os
from importlib import import_module

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

application = get_wsgi_application()


def import_ahead() -> None:
    """Imports what the first requests would otherwise import on their way: the URLconf with
    every view, the Redis client behind the cache and sessions, and the tasks that requests
    hand to Celery (with the broker's transport). Under `gunicorn --preload` this happens
    once, before the workers fork, instead of in each worker in the middle of its first
    requests (about a second of CPU per worker on the 2-core development machine). Nothing
    connects here: connections are opened by each worker."""
    from django.conf import settings  # noqa: PLC0415
    from django.urls import get_resolver  # noqa: PLC0415

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and its views)
    import_module("notifications.tasks")
    if settings.REDIS_URL:
        import_module("redis")
        import_module("kombu.transport.redis")
    # What is imported now lives as long as the process: the garbage collector stops
    # scanning it (a full collection took ~70 ms with it, a pause in the middle of a
    # request), and after the fork its scans no longer write to the pages the workers share.
    gc.collect()
    gc.freeze()


import_ahead()
