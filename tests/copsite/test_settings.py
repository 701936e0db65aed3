"""Settings come from the environment; production refuses to start unsafely."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "copsite.example.org",
}
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from copsite.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "email": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_tls": settings.EMAIL_USE_TLS,
}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "DEBUG",
            "SECRET_KEY",
            # Set for the test process only (Playwright); never in a deployment.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "copsite.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_with(env: dict[str, str]) -> dict:
    result = run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_check_deploy_with_zero_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    for secret in ("", "short-key"):
        result = run(["manage.py", "check"], {**PRODUCTION, "SECRET_KEY": secret})

        assert result.returncode != 0
        assert "SECRET_KEY must be set to a random string" in result.stderr


def test_defaults_need_nothing_installed():
    values = settings_with({})

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["conn_max_age"] > 0
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"


def test_database_redis_and_smtp_from_the_environment():
    values = settings_with(
        {
            "DATABASE_URL": "postgres://copsite:secret@db.internal:5432/copsite",
            "REDIS_URL": "redis://redis.internal:6379/0",
            "EMAIL_URL": "smtp://mailer.internal:1025",
        }
    )

    assert values["engine"] == "copsite.postgresql"  # Django's, see copsite/postgresql
    assert values["conn_max_age"] > 0
    assert values["cache"] == "copsite.cache.RedisCache"
    assert values["eager"] is False
    assert values["broker"] == "redis://redis.internal:6379/0"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "mailer.internal"


def test_the_usual_email_variables_also_configure_smtp():
    values = settings_with({"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587"})

    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "smtp.example.org"


def test_an_smtp_tls_url_turns_tls_on():
    values = settings_with({"EMAIL_URL": "smtp+tls://user:secret@smtp.example.org:587"})

    assert values["email_host"] == "smtp.example.org"
    assert values["email_tls"] is True
