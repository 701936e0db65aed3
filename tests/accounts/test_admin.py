"""The accounts admin: deleting someone there ends what is theirs as the services do."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from communities.models import Membership
from events.models import Registration, Visibility
from members.models import Invitation
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    UserFactory,
    one_seat_taken,
)

pytestmark = pytest.mark.django_db


def _person_with_a_seat_and_an_invitation(community):
    """A member with the only seat at a public event, someone waiting behind them, and an
    open invitation to the community in their name."""
    person = MembershipFactory(community=community).user
    _, _, waiting = one_seat_taken(community=community, holder=person, visibility=Visibility.PUBLIC)
    invitation = InvitationFactory(wave__community=community, email=person.email)
    return person, waiting, invitation


def test_deleting_a_person_gives_their_seat_to_the_next_one_waiting(
    admin_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    person, waiting, invitation = _person_with_a_seat_and_an_invitation(community)
    url = reverse("admin:accounts_user_delete", args=[person.pk])
    confirmation = admin_client.get(url)
    assert confirmation.context["perms_lacking"] == set()  # read-only registrations: no block

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    waiting.refresh_from_db()
    invitation.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert invitation.status == Invitation.Status.REVOKED  # an old link lets nobody back in
    assert [m.to for m in mailoutbox] == [[waiting.user.email]]  # told of the freed seat


def test_deleting_people_in_bulk_ends_what_is_each_ones(admin_client, community, other_community):
    first, first_waiting, _ = _person_with_a_seat_and_an_invitation(community)
    second, second_waiting, _ = _person_with_a_seat_and_an_invitation(other_community)

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[first.pk, second.pk]).exists()
    for waiting in (first_waiting, second_waiting):
        waiting.refresh_from_db()
        assert waiting.status == Registration.Status.CONFIRMED


def test_staff_who_may_delete_people_and_memberships_may_delete_someone_registered(
    client, community
):
    """Registrations are read-only in their admin (nobody has their delete permission);
    deleting their person is still allowed to staff with the rights over what is theirs."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_user",
                "delete_user",
                "delete_emailaddress",  # allauth's record of their address
                "delete_membership",
            ]
        )
    )
    client.force_login(staff)
    person, waiting, _ = _person_with_a_seat_and_an_invitation(community)
    url = reverse("admin:accounts_user_delete", args=[person.pk])

    assert client.get(url).context["perms_lacking"] == set()
    client.post(url, {"post": "yes"})

    assert not User.objects.filter(pk=person.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_staff_without_the_memberships_right_may_not_delete_a_member(client, community):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "delete_user", "delete_emailaddress"])
    )
    client.force_login(staff)
    person, _, _ = _person_with_a_seat_and_an_invitation(community)
    url = reverse("admin:accounts_user_delete", args=[person.pk])

    assert [str(name) for name in client.get(url).context["perms_lacking"]] == ["membership"]
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=person.pk).exists()


def test_the_confirmation_warns_of_a_community_left_without_its_core_team(
    admin_client, community, other_community
):
    person = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM).user
    MembershipFactory(community=other_community, user=person, tier=Membership.Tier.CORE_TEAM)
    MembershipFactory(community=other_community, tier=Membership.Tier.CORE_TEAM)

    page = admin_client.get(reverse("admin:accounts_user_delete", args=[person.pk]))

    warnings = page.context["deletion_warnings"]
    assert len(warnings) == 1  # the other community has someone left
    assert community.name in warnings[0]
    assert 'data-testid="deletion-warnings"' in page.content.decode()
    member = MembershipFactory(community=community).user
    quiet = admin_client.get(reverse("admin:accounts_user_delete", args=[member.pk]))
    assert 'data-testid="deletion-warnings"' not in quiet.content.decode()


def test_the_bulk_confirmation_warns_of_a_core_team_deleted_together(
    admin_client, community, other_community
):
    first, second = (
        MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM).user
        for _ in range(2)
    )
    MembershipFactory(community=other_community, tier=Membership.Tier.CORE_TEAM)
    changelist = reverse("admin:accounts_user_changelist")

    alone = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [first.pk]}
    )
    assert alone.context["deletion_warnings"] == []  # the other one still runs it
    assert 'data-testid="deletion-warnings"' not in alone.content.decode()
    together = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}
    )

    (warning,) = together.context["deletion_warnings"]
    assert community.name in warning
    assert first.email in warning
    assert second.email in warning
    assert 'data-testid="deletion-warnings"' in together.content.decode()
    assert User.objects.filter(pk__in=[first.pk, second.pk]).count() == 2  # not yet deleted
