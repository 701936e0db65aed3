"""Django's PostgreSQL backend, with one change: the health check before a request's first
query is skipped when the connection served a request without an error moments ago.

With `CONN_HEALTH_CHECKS`, Django sends `SELECT 1` before each request's first query on a
persistent connection, so that a connection the server dropped (a restart, an idle
timeout) is replaced instead of failing the request. Under load that is a round trip, and
a statement for the database, on every request, to learn what the previous request, a few
milliseconds before, already showed. Connection pools skip it the same way (HikariCP does
not test a connection used in the last 500 ms).

The risk kept: if the server drops the connection within `RECENTLY` of a request that
worked, the next request on it fails once (Django then closes the connection, and the
request after gets a new one). A connection idle for longer is checked as before.
"""

import time

from django.db.backends.postgresql import base

# A connection that served a request this recently (seconds) is not checked again.
RECENTLY = 0.5


class DatabaseWrapper(base.DatabaseWrapper):
    # When this connection last ended a request in which it ran a statement without an
    # error (time.monotonic()); never, to begin with.
    _worked_at = float("-inf")
    # Whether a cursor was taken since the last request began or ended.
    _used = False

    def close_if_health_check_failed(self):
        # Django calls this whenever a cursor is taken, before it connects.
        self._used = True
        if (
            self.health_check_enabled
            and not self.health_check_done
            and self.connection is not None
            and time.monotonic() - self._worked_at < RECENTLY
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Django calls this as a request begins and as it ends. `errors_occurred` says
        # whether a statement failed with anything but a constraint or bad data since.
        worked = self._used and self.connection is not None and not self.errors_occurred
        self._used = False
        super().close_if_unusable_or_obsolete()
        if self.connection is None:
            self._worked_at = float("-inf")
        elif worked:
            self._worked_at = time.monotonic()
