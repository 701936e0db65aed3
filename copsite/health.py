"""/healthz: what a load balancer or `docker compose` asks before sending traffic."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from copsite.celery import app as celery_app

OK = "ok"
ERROR = "error"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 (any failure means unhealthy; the body says which part)
        return ERROR
    return OK


def _cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        healthy = cache.get(key) == "1"
        cache.delete(key)
    except Exception:  # noqa: BLE001
        return ERROR
    return OK if healthy else ERROR


def _broker() -> str:
    if celery_app.conf.task_always_eager:
        return "inline"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        return ERROR
    return OK


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "cache": _cache(), "broker": _broker()}
    healthy = ERROR not in checks.values()
    body = {"status": OK if healthy else ERROR, **checks}
    return JsonResponse(body, status=200 if healthy else 503)
