"""The signed-in person is read with one plain statement, as the ORM would read them."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.utils.module_loading import import_string

from accounts.models import User
from tests.assertions import assert_reads_as_the_orm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = [import_string(path)() for path in settings.AUTHENTICATION_BACKENDS]


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: type(backend).__name__)
class TestGetUser:
    def test_reads_the_person_as_the_orm_does(self, backend, django_assert_num_queries):
        person = UserFactory(display_name="Ana Souza", time_zone="America/Lima")

        with django_assert_num_queries(1):
            loaded = backend.get_user(person.pk)

        assert_reads_as_the_orm(loaded, User.objects.get(pk=person.pk))
        assert not loaded._state.adding

    def test_nobody_for_an_unknown_or_inactive_person(self, backend):
        inactive = UserFactory(is_active=False)

        assert backend.get_user(inactive.pk) is None
        assert backend.get_user(inactive.pk + 1000) is None


def test_a_signed_in_request_gets_its_person(client):
    person = UserFactory()
    client.force_login(person)
    request = client.get("/").wsgi_request

    assert get_user(request) == person
