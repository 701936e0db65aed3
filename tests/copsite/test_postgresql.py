"""The PostgreSQL backend's health check: only a poll of the socket on a connection that
just worked, Django's `SELECT 1` on one that was idle or failed, and a dropped connection
replaced before a request uses it either way."""

import select

import pytest
from django.db import ProgrammingError, connection, connections, transaction

from copsite.postgresql import base

pytestmark = [
    pytest.mark.django_db(transaction=True),  # requests end outside any transaction
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the backend is PostgreSQL's (CI runs it)"
    ),
]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(base, "monotonic", clock)
    return clock


@pytest.fixture
def checks(monkeypatch):
    """How many health checks (`SELECT 1` round trips) ran."""
    wrapper = connections["default"]
    ran = []
    real = wrapper.is_usable

    def counted():
        ran.append(True)
        return real()

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return ran


def a_request(sql: str | None = "SELECT 1") -> None:
    """What Django does around a request (request_started and request_finished both close
    old connections), with one statement in between, or none."""
    connection.close_if_unusable_or_obsolete()
    try:
        if sql:
            with connection.cursor() as cursor:
                cursor.execute(sql)
    finally:  # a request that fails still finishes (with a 500)
        connection.close_if_unusable_or_obsolete()


def test_a_connection_that_just_served_a_request_is_not_checked_again(clock, checks):
    a_request()  # a new connection: nothing to check
    clock.now += base.RECENTLY / 2
    a_request()
    clock.now += base.RECENTLY / 2
    a_request()

    assert checks == []


def test_a_connection_idle_for_longer_is_checked(clock, checks):
    a_request()
    clock.now += base.RECENTLY + 0.01
    a_request()

    assert len(checks) == 1


def test_a_request_without_a_statement_proves_nothing(clock, checks):
    a_request()
    clock.now += base.RECENTLY * 0.75
    a_request(sql=None)  # no cursor taken: the connection's health is as unknown as before
    clock.now += base.RECENTLY * 0.5
    a_request()

    assert len(checks) == 1


def test_a_failed_statement_is_followed_by_a_check_and_proves_nothing(clock, checks):
    a_request()
    clock.now += base.RECENTLY * 0.75
    with pytest.raises(ProgrammingError):
        a_request("SELEKT 1")
    assert len(checks) == 1  # Django's own, as the failed request ended: the connection works

    clock.now += base.RECENTLY * 0.5  # recent for the failed request, not for the good one
    a_request()

    assert len(checks) == 2


def test_anything_the_server_sent_meanwhile_brings_the_check_back(clock, checks):
    a_request("LISTEN copsite_probe")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("NOTIFY copsite_probe")
    finally:
        other.close()
    wait_until_readable()
    clock.now += 0.01

    a_request()

    assert len(checks) == 1


def wait_until_readable() -> None:
    fileno = connections["default"].connection.fileno()
    assert select.select([fileno], [], [], 5)[0], "nothing arrived from the server"


def terminate_backend() -> int:
    """The server ends this test's connection (as a restart, an idle timeout or a failover
    would): returns the ended backend's process id."""
    pid = connections["default"].connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits for it
    finally:
        other.close()
    wait_until_readable()
    return pid


def test_a_dropped_idle_connection_is_replaced_before_the_request_uses_it(clock, checks):
    a_request()
    ended = terminate_backend()
    clock.now += base.RECENTLY + 0.01

    a_request()  # the check finds it dead and connects again: the request works

    assert len(checks) == 1
    assert connections["default"].connection.info.backend_pid != ended


def test_a_connection_dropped_right_after_it_worked_is_replaced_too(clock, checks):
    a_request()
    ended = terminate_backend()
    clock.now += base.RECENTLY / 2

    a_request()  # the poll sees the server's goodbye: Django's check, then a new connection

    assert len(checks) == 1
    assert connections["default"].connection.info.backend_pid != ended


def test_requests_that_only_open_a_transaction_still_notice_a_drop(clock, checks):
    a_request()
    ended = terminate_backend()
    for _ in range(3):  # no statement reaches the server: nothing fails, nothing is learnt
        clock.now += base.RECENTLY * 0.8
        connection.close_if_unusable_or_obsolete()
        with transaction.atomic():
            pass
        connection.close_if_unusable_or_obsolete()

    a_request()

    assert connections["default"].connection.info.backend_pid != ended
