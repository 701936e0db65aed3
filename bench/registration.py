"""Registration under load: 50 clients registering over HTTP for one event with limited seats.

Usage: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/registration.py
       [--registrations 4000] [--clients 50] [--workers 4] [--seats 1000]

On the database DATABASE_URL names, builds (or reuses) a community of members with signed-in
sessions, and makes a fresh event with `--seats` seats. It starts the app under gunicorn on a
free local port (production settings: DEBUG off), then `--clients` concurrent clients each
take the next person and POST the event's register URL as that person, until every person
has registered once, so most of them land on the waiting list. Each request is the real
path: middleware, session, the access check with the event, the registration service (one
statement that locks the event's row, takes a seat from its count and writes the
registration with its email's outbox row) and, at most once a second per worker, the nudge
to drain the outbox handed to Redis. Prints name=value lines: registrations per second,
latency percentiles, seats taken, the interpreter, the CPU each registration cost the server,
the database and the clients during the run (and how idle the machine was), and last
`overbooked=` (confirmed beyond the capacity; 0 is the only right answer). Stops the server
it started and removes its event. A fresh database is migrated first.

The confirmation emails wait in the outbox (one row per registration, written with it);
this script deletes those rows at the end, and the server's broker is Redis database 15
(emptied too), so no worker ever sends them. Target on the 2-core development
machine: at least 300 registrations per second, p95 under 200 ms, overbooked=0.
"""

import argparse
import os
import platform
import secrets
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")
# The server and this script share a key: the sessions written here are signed with it.
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)

import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as CACHE_PREFIX
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from events.models import Event, Format, Registration, Visibility
from members.demo import _person, bulk_add_members
from notifications.models import OutboxMessage

SLUG = "bench-registration"
DOMAIN = "bench-registration.example.org"
BENCH_REDIS_DB = 15
CSRF_SECRET = "b" * 32  # an unmasked CSRF secret: the same value in cookie and header


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_redis_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_REDIS_DB}", "", ""))


def build_members(count: int) -> Community:
    import random  # noqa: PLC0415

    community, _ = Community.objects.get_or_create(
        slug=SLUG, defaults={"name": "Registration benchmark"}
    )
    have = Membership.objects.filter(community=community).count()
    if have < count:
        rng = random.Random(300)  # noqa: S311 (benchmark data)
        people = [_person(rng, number, DOMAIN) for number in range(count)]
        bulk_add_members(community=community, people=people)
    return community


def sessions_for(users: list[User]) -> list[str]:
    """A signed-in session per person, written in bulk as if each had just signed in: to the
    database and to the cache (the cached_db engine writes both at sign-in)."""
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    rows, keys = [], []
    for user in users:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=2000)
    cache.set_many(
        {CACHE_PREFIX + row.session_key: store.decode(row.session_data) for row in rows},
        timeout=3600,
    )
    return keys


def start_server(port: int, workers: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        # The cache is shared with this script (the sessions are in it); the emails' tasks go
        # to a broker database of their own, emptied at the end.
        "CELERY_BROKER_URL": bench_redis_url(),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "copsite.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--preload",  # import the app once, before the workers fork
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def request_for(path: str, session_key: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
        f"Cookie: sessionid={session_key}; csrftoken={CSRF_SECRET}\r\n"
        f"X-CSRFToken: {CSRF_SECRET}\r\nConnection: close\r\n\r\n"
    ).encode()


def outcome(response: bytes) -> str:
    """'registered' when the answer sends the person back to the event, else what it was."""
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status = head.split(" ", 2)[1]
    location = next(
        (
            line.split(":", 1)[1].strip()
            for line in head.split("\r\n")
            if line.lower().startswith("location:")
        ),
        "",
    )
    if status == "302" and "/events/" in location:
        return "registered"
    return f"{status} {location}".strip()


def run_clients(port: int, path: str, keys: list[str], clients: int):
    """`clients` connections at a time, each a person's registration: connect, send the
    request, read until the server closes, then the next person on a new connection.

    One thread and a selector (epoll), with no event loop on top: the clients share the
    machine's 2 cores with the server, and asyncio's streams cost about twice the CPU per
    request of this loop, time the server's workers would not get."""
    queue = list(reversed(keys))
    timings, statuses = [], {}
    selector = selectors.DefaultSelector()

    def connect() -> None:
        request = request_for(path, queue.pop())
        sock = socket.socket()
        sock.settimeout(0)  # non-blocking
        began = time.perf_counter()
        sock.connect_ex(("127.0.0.1", port))  # in progress: writable once connected
        selector.register(sock, selectors.EVENT_WRITE, [began, request, bytearray()])

    began = time.perf_counter()
    for _ in range(min(clients, len(queue))):
        connect()
    while selector.get_map():
        for key, events in selector.select():
            sock, (started, request, response) = key.fileobj, key.data
            if events & selectors.EVENT_WRITE:
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    raise OSError(error, os.strerror(error))
                sock.sendall(request)  # a few hundred bytes: the socket buffer takes them
                selector.modify(sock, selectors.EVENT_READ, key.data)
                continue
            chunk = sock.recv(65536)
            if chunk:
                response += chunk
                continue
            selector.unregister(sock)  # the server closed the connection: all is read
            sock.close()
            timings.append((time.perf_counter() - started) * 1000)
            status = outcome(bytes(response))
            statuses[status] = statuses.get(status, 0) + 1
            if queue:
                connect()
    selector.close()
    return time.perf_counter() - began, timings, statuses


def python_build() -> str:
    """The interpreter: pyenv's default build (no profile-guided or link-time optimisation)
    runs a registration with 13% more instructions than Debian's optimised 3.11, the kind
    the production image has."""
    return f"{platform.python_version()} ({sys.base_prefix})"


class CpuMeter:
    """CPU time (user and system, from /proc: Linux) of the server's processes (its process
    group), the database's (the bench's PostgreSQL server and its processes, when it runs
    on this machine) and this one (the clients), and the machine's idle share, over a
    stretch of the run. On the two shared cores the rate is about 1.9 s of CPU per second
    (two cores, less the rest of the machine) divided by their sum, so a slower run tells
    whether each registration cost more or the machine sat idle. Counted per process: one
    that ends during the stretch loses its share. Reads nothing where there is no /proc."""

    def __init__(self, server: subprocess.Popen):
        self.group = server.pid  # start_new_session: the server leads its own group
        self.available = Path("/proc/stat").exists()
        self.postmaster = self._postmaster() if self.available else None

    @staticmethod
    def _postmaster() -> int | None:
        """The PostgreSQL server process this script's connection is served by (the parent
        of its backend), or None when that server is not on this machine."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = Path(f"/proc/{cursor.fetchone()[0]}")
        try:
            if (backend / "comm").read_text().strip() != "postgres":
                return None  # another machine's process: that id means nothing here
            return int((backend / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return None

    def _read(self) -> dict:
        ticks = os.sysconf("SC_CLK_TCK")
        processes = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            pid, parent, group = int(entry.name), int(fields[1]), int(fields[2])
            if group == self.group:
                kind = "server"
            elif self.postmaster in (pid, parent):
                kind = "database"
            else:
                continue
            processes[pid] = (kind, (int(fields[11]) + int(fields[12])) / ticks)
        own = os.times()
        machine = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
        return {
            "processes": processes,
            "clients": own.user + own.system,
            "idle": machine[3] + machine[4],
            "all": sum(machine),
        }

    def start(self) -> None:
        self.before = self._read() if self.available else None

    def report(self, registrations: int) -> dict[str, str]:
        if not self.before or not registrations:
            return {}
        after = self._read()
        spent = {"server": 0.0, "database": 0.0}
        for pid, (kind, seconds) in after["processes"].items():
            earlier = self.before["processes"].get(pid)
            spent[kind] += seconds - (earlier[1] if earlier else 0.0)
        spent["clients"] = after["clients"] - self.before["clients"]
        names = ("server", "database", "clients") if self.postmaster else ("server", "clients")
        lines = {
            f"cpu_ms_per_registration_{name}": f"{spent[name] * 1000 / registrations:.2f}"
            for name in names
        }
        idle, total = (after[key] - self.before[key] for key in ("idle", "all"))
        lines["machine_idle_percent"] = f"{100 * idle / max(total, 1):.0f}"
        return lines


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def discard_emails(event: Event) -> int:
    """Deletes the bench's outbox rows (its emails) and empties its broker database."""
    import redis  # noqa: PLC0415

    redis.Redis.from_url(bench_redis_url()).flushdb()
    registrations = list(Registration.objects.filter(event=event).values_list("pk", flat=True))
    deleted, _ = OutboxMessage.objects.filter(
        task="events.tasks.registration_email", kwargs__registration_id__in=registrations
    ).delete()
    return deleted


def measure(arguments, *, event: Event, path: str, users: list[User], keys: list[str]):
    """Starts the server, warms it up, runs the clients and stops it. Returns (seconds,
    timings, statuses, the CPU each request cost: `CpuMeter.report`)."""
    port = free_port()
    server = start_server(port, arguments.workers)
    try:
        # Warm up each worker (imports, URL resolver, connections) with throwaway sessions.
        warm_users = users[: arguments.workers * 4]
        run_clients(port, path, sessions_for(warm_users), arguments.workers)
        discard_emails(event)
        Registration.objects.filter(event=event).delete()
        meter = CpuMeter(server)
        meter.start()
        seconds, timings, statuses = run_clients(port, path, keys, arguments.clients)
        return seconds, timings, statuses, meter.report(len(timings))
    finally:
        stop_server(server)
        Session.objects.filter(session_key__in=keys).delete()
        cache.delete_many([CACHE_PREFIX + key for key in keys])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)  # 2 per core
    parser.add_argument("--seats", type=int, default=1000)
    arguments = parser.parse_args()
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL to PostgreSQL and REDIS_URL: this measures both.")

    started = time.monotonic()
    # A fresh database gets the schema first; an up-to-date one is left as it is.
    call_command("migrate", interactive=False, verbosity=0)
    community = build_members(arguments.registrations)
    users = list(
        User.objects.filter(memberships__community=community).order_by("id")[
            : arguments.registrations
        ]
    )
    starts = timezone.now() + timezone.timedelta(days=7)
    event = Event.objects.create(
        community=community, title="Benchmark roundtable", format=Format.ROUNDTABLE,
        mode=Event.Mode.ONLINE, starts_at=starts, ends_at=starts + timezone.timedelta(hours=2),
        capacity=arguments.seats, visibility=Visibility.MEMBERS,
    )  # fmt: skip
    keys = sessions_for(users)
    path = reverse("events:register", kwargs={"slug": community.slug, "pk": event.pk})
    print(f"setup_seconds={time.monotonic() - started:.1f}")

    seconds, timings, statuses, cpu = measure(
        arguments, event=event, path=path, users=users, keys=keys
    )

    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    waiting = Registration.objects.filter(event=event, status="waiting").count()
    emails = discard_emails(event)
    event.delete()
    print(f"python={python_build()}")
    print(f"database={connection.vendor}")
    print(f"gunicorn_workers={arguments.workers}")
    print(f"clients={arguments.clients}")
    print(f"requests={len(timings)}")
    print(f"responses={dict(sorted(statuses.items()))}")
    print(f"registrations={confirmed + waiting}")
    print(f"seats={arguments.seats}")
    print(f"confirmed={confirmed}")
    print(f"waiting={waiting}")
    print(f"emails_in_outbox={emails} (deleted: no worker sends them)")
    print(f"seconds={seconds:.2f}")
    print(f"registrations_per_second={(confirmed + waiting) / seconds:.0f}")
    print(f"latency_median_ms={statistics.median(timings):.1f}")
    print(f"latency_p95_ms={percentile(timings, 0.95):.1f}")
    print(f"latency_max_ms={max(timings):.1f}")
    for name, value in cpu.items():
        print(f"{name}={value}")
    print(f"overbooked={max(0, confirmed - arguments.seats)}")


if __name__ == "__main__":
    main()
