"""Places that follow a person's right to see an event: leaving, narrowing, late changes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from communities.services import membership_leave
from events import selectors, services
from events.emails import registration_email_send
from events.models import Event, Material, Registration, Visibility
from tests.factories import EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def status(registration):
    registration.refresh_from_db()
    return registration.status


def test_leaving_gives_up_places_and_the_next_person_gets_the_seat(event, make_member):
    leaver, waiting = make_member(), make_member()
    seat = services.event_register(event=event, user=leaver)
    services.event_register(event=event, user=make_member())
    place = services.event_register(event=event, user=waiting)

    membership_leave(membership=Membership.objects.get(user=leaver))

    assert status(seat) == "cancelled"
    assert status(place) == "confirmed"


def test_someone_who_may_no_longer_see_the_event_is_not_promoted(event, make_member):
    seat = services.event_register(event=event, user=make_member())
    services.event_register(event=event, user=make_member())
    member_waiting = services.event_register(event=event, user=make_member())
    core = MembershipFactory(community=event.community, tier=Membership.Tier.CORE_GROUP).user
    core_waiting = services.event_register(event=event, user=core)
    Event.objects.filter(pk=event.pk).update(visibility=Visibility.CORE)

    services.registration_cancel(registration=seat)

    assert status(member_waiting) == "cancelled"
    assert status(core_waiting) == "confirmed"


def test_no_cancelling_and_no_promotion_once_the_event_has_started(event, make_member):
    seat = services.event_register(event=event, user=make_member())
    services.event_register(event=event, user=make_member())
    waiting = services.event_register(event=event, user=make_member())
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=1)
    )

    with pytest.raises(ValidationError, match="has started"):
        services.registration_cancel(registration=seat)
    assert status(waiting) == "waiting"


def test_an_ended_event_cannot_be_cancelled(community):
    start = timezone.now() - timedelta(days=2)
    past = EventFactory(community=community, starts_at=start, ends_at=start + timedelta(hours=1))
    with pytest.raises(ValidationError, match="has ended"):
        services.event_cancel(event=past)


def test_a_task_is_not_given_to_someone_who_may_not_see_the_event(community, member, client):
    core_event = EventFactory(community=community, visibility=Visibility.CORE, title="Reorg")
    with pytest.raises(ValidationError, match="may not see this event"):
        services.checklist_item_add(event=core_event, phase="before", title="X", assignee=member)
    with pytest.raises(ValidationError, match="may not see this event"):
        services.action_item_add(event=core_event, title="X", owner=member, due_date="2027-01-01")
    # Nor shown on their home if it was given before the event was narrowed.
    members_event = EventFactory(community=community, title="Budget talk")
    services.checklist_item_add(event=members_event, phase="before", title="Y", assignee=member)
    Event.objects.filter(pk=members_event.pk).update(visibility=Visibility.CORE)
    client.force_login(member)
    page = client.get(reverse("community_home", kwargs={"slug": community.slug})).content.decode()
    assert "Budget talk" not in page


def test_a_private_communitys_public_event_leaves_my_events_with_the_member(community, member):
    Community.objects.filter(pk=community.pk).update(visibility=Community.Visibility.PRIVATE)
    event = EventFactory(community=community, visibility=Visibility.PUBLIC)
    services.event_register(event=event, user=member)
    assert selectors.my_registrations(user=member).exists()
    Membership.objects.filter(user=member).update(status=Membership.Status.REMOVED)
    assert not selectors.my_registrations(user=member).exists()


def test_a_link_material_is_shown_as_a_link_and_the_site_does_not_redirect(client, event, member):
    material = Material.objects.create(
        event=event, title="Deck", url="https://files.example.net/deck", visibility="members"
    )
    client.force_login(member)
    page = client.get(
        reverse("events:detail", kwargs={"slug": event.community.slug, "pk": event.pk})
    )
    assert (
        'href="https://files.example.net/deck" rel="nofollow noopener noreferrer"'
        in page.content.decode()
    )
    assert "(files.example.net)" in page.content.decode()
    url = reverse(
        "events:material",
        kwargs={"slug": event.community.slug, "pk": event.pk, "material": material.pk},
    )
    assert client.get(url).status_code == 404


def test_an_email_that_is_no_longer_true_is_not_sent(event, member, mailoutbox):
    registration = services.event_register(event=event, user=member)
    Registration.objects.filter(pk=registration.pk).update(status="waiting")
    sent = registration_email_send(
        registration_id=registration.pk, kind="event_registration_confirmed", seat_key="x"
    )
    assert sent is False
