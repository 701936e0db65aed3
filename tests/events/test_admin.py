"""The events admin: what staff may change there."""

import pytest
from django.urls import reverse

from events.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_moved_to_another_community(client, community, other_community):
    event = EventFactory(community=community)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_event_change", args=[event.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="community"' not in page.content.decode()
    assert 'name="community"' in client.get(reverse("admin:events_event_add")).content.decode()

    client.post(url, {"community": other_community.pk, "title": "Moved?"})
    assert Event.objects.get(pk=event.pk).community_id == community.pk
