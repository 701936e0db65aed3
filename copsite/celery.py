"""The Celery application. Configuration lives in settings.py under the CELERY_ namespace.

Without REDIS_URL the app runs every task inline (task_always_eager), so the product works
with nothing installed; with REDIS_URL a worker and beat (`make worker`) do the work.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

app = Celery("copsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
