"""Authentication backends: Django's and allauth's, with the signed-in person read by one
plain statement on every request (see copsite/rows.py) instead of an ORM query built anew
each time. Who may sign in, and how, is unchanged."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection

from accounts.models import User
from copsite.rows import Columns

_USER = Columns(User, "u")
_USER_SQL = f"SELECT {_USER.sql} FROM {_USER.table} u WHERE {_USER.column('id')} = %s"  # noqa: S608


def user_by_id(user_id) -> User | None:
    with connection.cursor() as cursor:
        cursor.execute(_USER_SQL, [user_id])
        row = cursor.fetchone()
    return _USER.instance(row) if row is not None else None


class _UserByIdMixin:
    def get_user(self, user_id):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_UserByIdMixin, DjangoModelBackend):
    """Django's backend (the admin, and tests' force_login)."""


class AuthenticationBackend(_UserByIdMixin, AllauthBackend):
    """allauth's backend (sign-in by email)."""
