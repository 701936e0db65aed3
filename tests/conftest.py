"""Fixtures every test folder shares: the actors, and test-wide isolation of cache and tasks.

The actors are the people of the permission matrix (SPEC.md, "Who uses it"):
visitor, user (signed in, not a member), member, core_group, core_team, sponsor (holds the
Community Sponsor role without being a member), other_manager (runs another community).
"""

import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import Client

from communities.models import Community, Membership, RoleAssignment
from copsite.celery import app as celery_app
from tests.factories import CommunityFactory, MembershipFactory, RoleAssignmentFactory, UserFactory

ACTORS = ("visitor", "user", "member", "core_group", "core_team", "sponsor", "other_manager")


@pytest.fixture(scope="session", autouse=True)
def _tasks_inline_on_a_queue_of_our_own(worker_id):
    """Tasks run inline in tests; the real-worker tests switch that off for themselves.

    Each xdist worker gets its own queue, so a real worker never takes another's task.
    """
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_default_queue = f"copsite-test-{worker_id}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache_namespace(settings):
    """A key prefix per test: rate-limit counters and cached pages never leak between tests,
    nor between the xdist workers that share one Redis."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()
    }


# Every event whose seat count (PostgreSQL, kept by triggers: events/migrations/0006) differs
# from its confirmed registrations.
_SEAT_COUNTS_OFF = """
SELECT e.id, e.confirmed_seats, count(r.id) FILTER (WHERE r.status = 'confirmed')
FROM events_event e LEFT JOIN events_registration r ON r.event_id = e.id
GROUP BY e.id HAVING e.confirmed_seats <> count(r.id) FILTER (WHERE r.status = 'confirmed')
"""


@pytest.fixture(autouse=True)
def _seat_counts_stay_true(request):
    """After every test that used PostgreSQL, whatever wrote its registrations (services,
    factories, the admin, bulk deletes): each event's seat count, which registration trusts
    to never overbook, still equals its confirmed registrations."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and not fixtures & {"db", "transactional_db"}:
        yield
        return
    transactional = "transactional_db" in fixtures or bool(
        marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    # Requested first, so that the database is still there when this checks it.
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    if connection.vendor != "postgresql":
        return
    # The driver's own cursor: a test may still have Django's patched (a database outage).
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(_SEAT_COUNTS_OFF)
        off = cursor.fetchall()
    assert off == [], f"seat counts out of step with registrations (event, count, real): {off}"


@pytest.fixture
def community(db) -> Community:
    return CommunityFactory(name="Urban Water Practitioners", slug="urban-water")


@pytest.fixture
def other_community(db) -> Community:
    return CommunityFactory(name="Climate Finance Network", slug="climate-finance")


@pytest.fixture
def make_actor(community, other_community):
    """Returns a function: actor name -> the user who plays it (None for the visitor)."""

    def make(actor: str):
        if actor == "visitor":
            return None
        user = UserFactory(email=f"{actor}@example.org")
        tiers = {
            "member": Membership.Tier.MEMBER,
            "core_group": Membership.Tier.CORE_GROUP,
            "core_team": Membership.Tier.CORE_TEAM,
        }
        if actor in tiers:
            MembershipFactory(community=community, user=user, tier=tiers[actor])
        elif actor == "sponsor":
            RoleAssignmentFactory(
                community=community, holder=user, role=RoleAssignment.Role.SPONSOR
            )
        elif actor == "other_manager":
            MembershipFactory(community=other_community, user=user, tier=Membership.Tier.CORE_TEAM)
            RoleAssignmentFactory(
                community=other_community, holder=user, role=RoleAssignment.Role.MANAGER
            )
        elif actor != "user":
            raise ValueError(f"unknown actor {actor!r}")
        return user

    return make


@pytest.fixture
def client_as(make_actor):
    """Returns a function: actor name -> a test client signed in as that actor."""

    def signed_in(actor: str) -> Client:
        client = Client()
        user = make_actor(actor)
        if user is not None:
            client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def member(community):
    return MembershipFactory(community=community).user


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def real_worker(monkeypatch):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real broker for a real worker")
    # The outbox nudge is limited to one a second per process: start with none sent.
    monkeypatch.setattr("notifications.services._last_nudge", 0.0)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            queues=[celery_app.conf.task_default_queue],
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


def wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
