"""Django's PostgreSQL backend, with one change: the health check before a request's first
query is skipped when the connection served a request without an error moments ago and
the server has sent nothing on it since.

With `CONN_HEALTH_CHECKS`, Django sends `SELECT 1` before each request's first query on a
persistent connection, so that a connection the server dropped (a restart, an idle
timeout) is replaced instead of failing the request. Under load that is a round trip, and
a statement for the database, on every request, to learn what the previous request, a few
milliseconds before, already showed. Connection pools skip it the same way (HikariCP does
not test a connection used in the last 500 ms).

Instead, such a connection's socket is polled without waiting (one system call): between
requests an idle connection has nothing to read, while a server that ends it (a restart,
`pg_terminate_backend`, a failover) sends an error and closes it, which makes the socket
readable. Then, and for a connection idle longer than `RECENTLY`, Django's check runs as
before. What the poll cannot see is a connection that died silently (a network cut without
a reset) in the last half second; Django's `SELECT 1` would wait for TCP to give up there.
"""

import select
from time import monotonic

from django.db.backends.postgresql import base

# A connection that served a request this recently (seconds) is only polled.
RECENTLY = 0.5


class DatabaseWrapper(base.DatabaseWrapper):
    # When this connection last ended a request in which it was used without an error
    # (monotonic()); never, to begin with.
    _worked_at = float("-inf")
    # Whether the connection was asked for since the last request began or ended.
    _used = False

    def close_if_health_check_failed(self):
        # Django calls this before each cursor and transaction, before it connects.
        self._used = True
        if (
            self.health_check_enabled
            and not self.health_check_done
            and self.connection is not None
            and monotonic() - self._worked_at < RECENTLY
            and not self._server_said_something()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _server_said_something(self) -> bool:
        """Whether the idle connection's socket has anything to read (an error, the end of
        the connection, or a notice): polled, without waiting."""
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # closed on our side, or no socket any more
            return True
        return bool(readable)

    def close_if_unusable_or_obsolete(self):
        # Django calls this as a request begins and as it ends. `errors_occurred` says
        # whether a statement failed with anything but a constraint or bad data since.
        worked = self._used and self.connection is not None and not self.errors_occurred
        self._used = False
        super().close_if_unusable_or_obsolete()
        if self.connection is None:
            self._worked_at = float("-inf")
        elif worked:
            self._worked_at = monotonic()
