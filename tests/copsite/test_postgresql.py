"""The PostgreSQL backend's health check: skipped on a connection that just worked, done on
one that was idle or failed, and what each means when the server drops the connection."""

import pytest
from django.db import OperationalError, ProgrammingError, connection, connections

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
    monkeypatch.setattr(base.time, "monotonic", clock)
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
    with pytest.raises(ProgrammingError):
        a_request("SELEKT 1")
    assert len(checks) == 1  # Django's own, as the failed request ended: the connection works

    clock.now += base.RECENTLY + 0.01  # since the last request that worked
    a_request()

    assert len(checks) == 2


def terminate_backend() -> None:
    """The server drops this test's connection (as a restart or an idle timeout would)."""
    pid = connections["default"].connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_dropped_idle_connection_is_replaced_before_the_request_uses_it(clock):
    a_request()
    before = connections["default"].connection.info.backend_pid
    terminate_backend()
    clock.now += base.RECENTLY + 0.01

    a_request()  # the check finds it dead and connects again: the request works

    assert connections["default"].connection.info.backend_pid != before


def test_a_connection_dropped_right_after_it_worked_fails_one_request_then_recovers(clock):
    """The risk the skipped check keeps, and its size: one failed request per connection."""
    a_request()
    terminate_backend()
    clock.now += base.RECENTLY / 2

    with pytest.raises(OperationalError):
        a_request()
    assert connections["default"].connection is None  # closed when the request ended
    a_request()  # the next request connects again
