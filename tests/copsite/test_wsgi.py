"""copsite/wsgi.py: what gunicorn imports before it forks its workers."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_urlconf_and_the_tasks_are_imported_ahead():
    # A fresh interpreter, as gunicorn's master: what is imported once wsgi.py has run.
    probe = (
        "import gc, json, sys, copsite.wsgi; "
        "print(gc.get_freeze_count()); "
        "print(json.dumps({name: name in sys.modules for name in sys.argv[1:]}))"
    )
    names = ["events.views", "members.views", "notifications.tasks", "redis"]
    environment = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    environment.pop("DATABASE_URL", None)  # imports only: no database is touched
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", probe, *names],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    # The views come with the URLconf; the Redis client would otherwise be imported by each
    # worker on its first request.
    *_, frozen, imported = result.stdout.strip().splitlines()
    assert json.loads(imported) == dict.fromkeys(names, True)
    # And what they are made of is frozen: left out of the garbage collector's scans.
    assert int(frozen) > 10_000
