"""The events admin: what staff may change there."""

import pytest
from django.urls import reverse

from events import services
from events.models import Event, Registration
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_moved_to_another_community(admin_client, community, other_community):
    event = EventFactory(community=community)
    url = reverse("admin:events_event_change", args=[event.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="community"' not in page.content.decode()
    assert (
        'name="community"' in admin_client.get(reverse("admin:events_event_add")).content.decode()
    )

    admin_client.post(url, {"community": other_community.pk, "title": "Moved?"})
    assert Event.objects.get(pk=event.pk).community_id == community.pk


def test_seats_status_and_visibility_change_only_through_the_app(
    admin_client, community, make_member
):
    event = EventFactory(community=community, capacity=1)
    seat = services.event_register(event=event, user=make_member())
    url = reverse("admin:events_event_change", args=[event.pk])

    page = admin_client.get(url).content.decode()
    for field in ("capacity", "status", "visibility"):
        assert f'name="{field}"' not in page
    admin_client.post(url, {"capacity": 0, "status": "cancelled", "visibility": "core"})

    event.refresh_from_db()
    assert (event.capacity, event.status, event.visibility) == (1, "scheduled", "members")
    seat.refresh_from_db()
    assert seat.status == Registration.Status.CONFIRMED


def test_registrations_are_shown_but_not_edited_in_the_admin(admin_client, community, make_member):
    event = EventFactory(community=community, capacity=1)
    services.event_register(event=event, user=make_member())
    waiting = services.event_register(event=event, user=make_member())
    change = reverse("admin:events_registration_change", args=[waiting.pk])

    page = admin_client.get(change)
    assert page.status_code == 200  # to look at
    assert 'name="status"' not in page.content.decode()
    admin_client.post(change, {"status": "confirmed", "event": event.pk, "user": waiting.user_id})
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.WAITING  # no seat beyond the capacity

    assert admin_client.get(reverse("admin:events_registration_add")).status_code == 403
    delete = reverse("admin:events_registration_delete", args=[waiting.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Registration.objects.filter(pk=waiting.pk).exists()


def test_a_meeting_link_without_a_scheme_is_https_in_the_admin_too(admin_client):

    form = admin_client.get(reverse("admin:events_event_add")).context["adminform"].form

    assert form.fields["online_url"].to_python("meet.example.org/x") == "https://meet.example.org/x"
