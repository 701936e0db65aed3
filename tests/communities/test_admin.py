"""The communities admin: what staff may change there, and what a deletion there does."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from communities import services
from communities.admin import CommunityAddForm
from communities.models import Community, Membership, RoleAssignment
from events import services as event_services
from events.models import Registration, Visibility
from members.models import Invitation
from tests.factories import (
    CommunityFactory,
    EventFactory,
    InvitationFactory,
    MembershipFactory,
    RoleAssignmentFactory,
    UserFactory,
    one_seat_taken,
)

pytestmark = pytest.mark.django_db


def test_a_community_turns_private_only_on_its_settings_page(admin_client, community):
    url = reverse("admin:communities_community_change", args=[community.pk])

    assert 'name="visibility"' not in admin_client.get(url).content.decode()
    response = admin_client.post(
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
    add_page = admin_client.get(reverse("admin:communities_community_add")).content.decode()
    assert 'name="visibility"' in add_page  # a new community still gets one


def _new_community(**fields):
    return {
        "name": "Coastal Resilience",
        "slug": "coastal-resilience",
        "visibility": "public",
        "join_policy": "open",
        "languages-TOTAL_FORMS": 0,
        "languages-INITIAL_FORMS": 0,
        **fields,
    }


def test_a_community_added_there_has_its_first_manager(admin_client):
    manager = UserFactory(email="nadia.haddad@example.org")
    url = reverse("admin:communities_community_add")
    assert 'name="first_manager"' in admin_client.get(url).content.decode()

    refused = admin_client.post(url, _new_community(first_manager="nobody@example.org"))
    assert refused.context["adminform"].form.errors == {
        "first_manager": ["No account uses this email address."]
    }
    assert not Community.objects.filter(slug="coastal-resilience").exists()

    response = admin_client.post(url, _new_community(first_manager="Nadia.Haddad@example.org"))

    assert response.status_code == 302
    community = Community.objects.get(slug="coastal-resilience")
    membership = Membership.objects.get(community=community, user=manager)
    assert (membership.status, membership.tier) == ("active", "core_team")
    assert membership.sort_name  # found in the directory, as a creator on the site is
    assert RoleAssignment.objects.filter(
        community=community, role=RoleAssignment.Role.MANAGER, holder=manager
    ).exists()
    change_page = admin_client.get(
        reverse("admin:communities_community_change", args=[community.pk])
    )
    assert 'name="first_manager"' not in change_page.content.decode()


def test_status_tier_and_internal_change_only_through_the_members_pages(admin_client, community):
    membership = MembershipFactory(community=community)
    url = reverse("admin:communities_membership_change", args=[membership.pk])

    page = admin_client.get(url).content.decode()
    for field in ("community", "user", "status", "tier", "is_internal"):
        assert f'name="{field}"' not in page
    response = admin_client.post(
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


def _new_membership(community, person):
    return {
        "community": community.pk,
        "user": person.pk,
        "status": "active",
        "tier": "member",
        "acquisition_source": "",
        "request_message": "",
    }


def test_a_membership_added_there_is_found_in_the_directory(admin_client, community):
    person = UserFactory(display_name="Amara Okafor", country="KE")

    response = admin_client.post(
        reverse("admin:communities_membership_add"), _new_membership(community, person)
    )

    assert response.status_code == 302
    membership = Membership.objects.get(community=community, user=person)
    # The copies the directory searches and sorts by, as the join services write them.
    assert (membership.sort_name, membership.country) == ("amara okafor", "KE")


def _member_with_a_place_and_an_invitation(community):
    membership = MembershipFactory(community=community)
    _, place, waiting = one_seat_taken(community=community, holder=membership.user)
    invitation = InvitationFactory(wave__community=community, email=membership.user.email)
    return membership, place, waiting, invitation


def test_deleting_a_membership_ends_it_as_the_services_do(
    admin_client, community, django_capture_on_commit_callbacks, mailoutbox
):
    membership, place, waiting, invitation = _member_with_a_place_and_an_invitation(community)
    url = reverse("admin:communities_membership_delete", args=[membership.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    place.refresh_from_db()
    waiting.refresh_from_db()
    invitation.refresh_from_db()
    assert place.status == Registration.Status.CANCELLED  # members-only: no longer theirs
    assert waiting.status == Registration.Status.CONFIRMED  # the seat went to the next person
    assert invitation.status == Invitation.Status.REVOKED
    assert any(membership.user.email in message.to for message in mailoutbox)


def test_deleting_memberships_in_bulk_ends_each(admin_client, community, other_community):
    first, first_place, _, _ = _member_with_a_place_and_an_invitation(community)
    second, second_place, _, _ = _member_with_a_place_and_an_invitation(other_community)

    admin_client.post(
        reverse("admin:communities_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert not Membership.objects.filter(pk__in=[first.pk, second.pk]).exists()
    for place in (first_place, second_place):
        place.refresh_from_db()
        assert place.status == Registration.Status.CANCELLED


def _role_form(**fields):
    data = {"community": "", "role": "", "holder": "", "backup": ""}
    data.update({name: str(value) for name, value in fields.items()})
    return data


def test_a_role_added_there_is_checked_as_on_the_roles_page(admin_client, community):
    outsider, member = UserFactory(), MembershipFactory(community=community).user
    url = reverse("admin:communities_roleassignment_add")

    refused = admin_client.post(
        url, _role_form(community=community.pk, role="manager", holder=outsider.pk)
    )
    assert refused.status_code == 200  # the form again, with the error at the field
    assert refused.context["adminform"].form.errors["holder"] == [
        "Only an active member of this community can hold this role."
    ]
    assert not RoleAssignment.objects.exists()

    same_person = admin_client.post(
        url,
        _role_form(community=community.pk, role="manager", holder=member.pk, backup=member.pk),
    )
    assert same_person.context["adminform"].form.errors["backup"] == [
        "The backup must be someone other than the holder."
    ]

    admin_client.post(url, _role_form(community=community.pk, role="sponsor", holder=outsider.pk))
    assert RoleAssignment.objects.filter(holder=outsider, role="sponsor").exists()  # anyone
    again = admin_client.post(
        url, _role_form(community=community.pk, role="sponsor", holder=outsider.pk)
    )
    assert again.context["adminform"].form.errors == {
        "holder": ["This person already holds this role."]
    }


def test_a_role_keeps_its_holder_there_and_its_backup_is_checked(admin_client, community):
    holder = MembershipFactory(community=community).user
    assignment = RoleAssignmentFactory(community=community, holder=holder)
    url = reverse("admin:communities_roleassignment_change", args=[assignment.pk])

    page = admin_client.get(url).content.decode()
    for field in ("community", "role", "holder"):
        assert f'name="{field}"' not in page
    refused = admin_client.post(url, {"backup": UserFactory().pk})
    assert refused.context["adminform"].form.errors["backup"] == [
        "The backup must be an active member of this community."
    ]
    backup = MembershipFactory(community=community).user
    someone_else = UserFactory()
    admin_client.post(url, {"backup": backup.pk, "holder": someone_else.pk})

    assignment.refresh_from_db()
    assert (assignment.holder, assignment.backup) == (holder, backup)


def test_a_sponsor_role_deleted_there_gives_up_places_the_sponsor_no_longer_sees(
    admin_client,
):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    sponsor = UserFactory()
    role = RoleAssignmentFactory(
        community=private, role=RoleAssignment.Role.SPONSOR, holder=sponsor
    )
    seat = event_services.event_register(
        event=EventFactory(community=private, visibility=Visibility.PUBLIC), user=sponsor
    )

    response = admin_client.post(
        reverse("admin:communities_roleassignment_delete", args=[role.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    seat.refresh_from_db()
    assert seat.status == Registration.Status.CANCELLED


def test_only_staff_who_may_add_members_and_roles_add_a_community(client):
    """Adding one makes someone its Core Team member and Community Manager."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_community", "add_community"])
    )
    client.force_login(staff)
    url = reverse("admin:communities_community_add")

    assert client.get(url).status_code == 403
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_membership", "add_roleassignment"])
    )
    assert client.get(url).status_code == 200


def _blind_once(monkeypatch, owner, name):
    """`owner.name`'s first call passes without looking, as a check does that ran just before
    another request saved the same thing (a double click, two staff at once)."""
    real = getattr(owner, name)
    calls = []

    def check(*args, **kwargs):
        calls.append(name)
        if len(calls) > 1:
            return real(*args, **kwargs)
        return None

    monkeypatch.setattr(owner, name, check)
    return calls


def test_a_role_added_twice_at_once_is_refused_at_the_field(
    admin_client, community, monkeypatch, caplog
):
    holder = MembershipFactory(community=community).user
    RoleAssignmentFactory(community=community, role="technical_expert", holder=holder)
    calls = _blind_once(monkeypatch, services, "role_assign_check")
    _blind_once(monkeypatch, RoleAssignment, "validate_constraints")

    response = admin_client.post(
        reverse("admin:communities_roleassignment_add"),
        _role_form(community=community.pk, role="technical_expert", holder=holder.pk),
    )

    assert len(calls) == 3  # the form's check (passed), role_assign's (refused), the form's again
    assert "communities.RoleAssignment: a save failed; checking the form again" in caplog.text
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "holder": ["This person already holds this role."]
    }
    assert RoleAssignment.objects.filter(role="technical_expert", holder=holder).count() == 1


def test_a_community_address_taken_at_once_is_refused_at_the_field(admin_client, monkeypatch):
    UserFactory(email="nadia.haddad@example.org")
    CommunityFactory(slug="coastal-resilience")
    calls = _blind_once(monkeypatch, CommunityAddForm, "validate_unique")

    response = admin_client.post(
        reverse("admin:communities_community_add"),
        _new_community(first_manager="nadia.haddad@example.org"),
    )

    assert len(calls) == 2  # the database refused the first save; the second check saw why
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "slug": ["Another community already uses this address."]
    }
    assert Community.objects.filter(slug="coastal-resilience").count() == 1
    assert not Membership.objects.filter(user__email="nadia.haddad@example.org").exists()


def test_a_membership_added_twice_at_once_is_refused(admin_client, community, monkeypatch):
    person = MembershipFactory(community=community).user
    calls = _blind_once(monkeypatch, Membership, "validate_constraints")

    response = admin_client.post(
        reverse("admin:communities_membership_add"), _new_membership(community, person)
    )

    assert len(calls) == 2
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This person already has a membership here."
    ]
    assert Membership.objects.filter(community=community, user=person).count() == 1
