"""The accounts admin: deleting someone there ends what is theirs as the services do."""

import pytest
from django.urls import reverse

from accounts.models import User
from communities.models import Membership
from events import services as event_services
from events.models import Registration, Visibility
from members.models import Invitation
from tests.factories import EventFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _person_with_a_seat_and_an_invitation(community):
    """A member with the only seat at a public event, someone waiting behind them, and an
    open invitation to the community in their name."""
    person = MembershipFactory(community=community).user
    event = EventFactory(community=community, visibility=Visibility.PUBLIC, capacity=1)
    event_services.event_register(event=event, user=person)
    waiting = event_services.event_register(
        event=event, user=MembershipFactory(community=community).user
    )
    invitation = InvitationFactory(wave__community=community, email=person.email)
    return person, waiting, invitation


def test_deleting_a_person_gives_their_seat_to_the_next_one_waiting(
    staff_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    person, waiting, invitation = _person_with_a_seat_and_an_invitation(community)
    url = reverse("admin:accounts_user_delete", args=[person.pk])
    assert staff_client.get(url).status_code == 200  # the confirmation page comes first

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    waiting.refresh_from_db()
    invitation.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert invitation.status == Invitation.Status.REVOKED  # an old link lets nobody back in
    assert [m.to for m in mailoutbox] == [[waiting.user.email]]  # told of the freed seat


def test_deleting_people_in_bulk_ends_what_is_each_ones(staff_client, community, other_community):
    first, first_waiting, _ = _person_with_a_seat_and_an_invitation(community)
    second, second_waiting, _ = _person_with_a_seat_and_an_invitation(other_community)

    response = staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[first.pk, second.pk]).exists()
    for waiting in (first_waiting, second_waiting):
        waiting.refresh_from_db()
        assert waiting.status == Registration.Status.CONFIRMED
