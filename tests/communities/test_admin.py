"""The communities admin: what staff may change there, and what a deletion there does."""

import pytest
from django.urls import reverse

from communities.models import Membership
from events import services as event_services
from events.models import Registration
from members.models import Invitation
from tests.factories import EventFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_community_turns_private_only_on_its_settings_page(staff_client, community):
    url = reverse("admin:communities_community_change", args=[community.pk])

    assert 'name="visibility"' not in staff_client.get(url).content.decode()
    response = staff_client.post(
        url,
        {
            "name": "Urban Water",
            "slug": community.slug,
            "join_policy": community.join_policy,
            "visibility": "private",
            "languages-TOTAL_FORMS": 0,
            "languages-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302  # saved
    community.refresh_from_db()
    assert (community.name, community.visibility) == ("Urban Water", "public")
    add_page = staff_client.get(reverse("admin:communities_community_add")).content.decode()
    assert 'name="visibility"' in add_page  # a new community still gets one


def test_status_tier_and_internal_change_only_through_the_members_pages(staff_client, community):
    membership = MembershipFactory(community=community)
    url = reverse("admin:communities_membership_change", args=[membership.pk])

    page = staff_client.get(url).content.decode()
    for field in ("community", "user", "status", "tier", "is_internal"):
        assert f'name="{field}"' not in page
    response = staff_client.post(
        url,
        {
            "status": "removed",
            "tier": "core_team",
            "is_internal": "on",
            "acquisition_source": "",
            "request_message": "Edited in the admin",
        },
    )

    assert response.status_code == 302  # saved
    membership.refresh_from_db()
    assert membership.request_message == "Edited in the admin"
    assert (membership.status, membership.tier, membership.is_internal) == (
        Membership.Status.ACTIVE,
        Membership.Tier.MEMBER,
        False,
    )


def _member_with_a_place_and_an_invitation(community):
    membership = MembershipFactory(community=community)
    event = EventFactory(community=community, capacity=1)
    place = event_services.event_register(event=event, user=membership.user)
    waiting = event_services.event_register(
        event=event, user=MembershipFactory(community=community).user
    )
    invitation = InvitationFactory(wave__community=community, email=membership.user.email)
    return membership, place, waiting, invitation


def test_deleting_a_membership_ends_it_as_the_services_do(
    staff_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    membership, place, waiting, invitation = _member_with_a_place_and_an_invitation(community)
    url = reverse("admin:communities_membership_delete", args=[membership.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    place.refresh_from_db()
    waiting.refresh_from_db()
    invitation.refresh_from_db()
    assert place.status == Registration.Status.CANCELLED  # members-only: no longer theirs
    assert waiting.status == Registration.Status.CONFIRMED  # the seat went to the next person
    assert invitation.status == Invitation.Status.REVOKED
    assert any(membership.user.email in message.to for message in mailoutbox)


def test_deleting_memberships_in_bulk_ends_each(staff_client, community, other_community):
    first, first_place, _, _ = _member_with_a_place_and_an_invitation(community)
    second, second_place, _, _ = _member_with_a_place_and_an_invitation(other_community)

    staff_client.post(
        reverse("admin:communities_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert not Membership.objects.filter(pk__in=[first.pk, second.pk]).exists()
    for place in (first_place, second_place):
        place.refresh_from_db()
        assert place.status == Registration.Status.CANCELLED
