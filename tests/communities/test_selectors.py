"""Role warnings, the Five Musts and the community list, read directly."""

import pytest

from communities import extensions, selectors
from communities.extensions import MustResult, MustState, five_musts, register_must
from communities.models import Community, Membership, RoleAssignment
from tests.factories import CommunityFactory, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
Tier, Status, Role = Membership.Tier, Membership.Status, RoleAssignment.Role


def members(community, count, tier=Tier.MEMBER):
    return [MembershipFactory(community=community, tier=tier).user for _ in range(count)]


class TestRoleWarnings:
    def test_worst_first(self, community):
        leaver, *_ = members(community, 1)
        manager, _second = members(community, 2, Tier.CORE_TEAM)
        expert, *_ = members(community, 1)
        RoleAssignmentFactory(community=community, role=Role.MANAGER, holder=manager)
        RoleAssignmentFactory(community=community, role=Role.TECHNICAL_EXPERT, holder=expert)
        RoleAssignmentFactory(community=community, role=Role.COMMUNICATIONS, holder=leaver)
        Membership.objects.filter(user=leaver).update(status=Status.LEFT)

        messages = [str(w.message) for w in selectors.role_warnings(community=community)]

        assert messages == [
            f"Communications Advisor is held by {leaver.name}, who has left the community.",
            "No one holds the Community Leader role.",
            f"Community Manager ({manager.name}) has no backup.",
            f"Technical Expert ({expert.name}) has no backup.",
            "The Core Group has 0 people; the Toolkit recommends about 5 to 12.",
        ]

    def test_team_sizes_outside_the_toolkits_ranges(self, community):
        members(community, 4, Tier.CORE_TEAM)
        members(community, 13, Tier.CORE_GROUP)

        messages = [str(w.message) for w in selectors.role_warnings(community=community)]

        assert "The Core Team has 4 people; the Toolkit recommends 2 to 3." in messages
        assert "The Core Group has 13 people; the Toolkit recommends about 5 to 12." in messages

    def test_a_healthy_community_has_no_warning(self, community):
        manager, leader = members(community, 2, Tier.CORE_TEAM)
        group = members(community, 5, Tier.CORE_GROUP)
        RoleAssignmentFactory(community=community, role=Role.MANAGER, holder=manager, backup=leader)
        RoleAssignmentFactory(community=community, role=Role.LEADER, holder=leader, backup=group[0])
        # A sponsor from outside the community is not "someone who left".
        RoleAssignmentFactory(
            community=community, role=Role.SPONSOR, holder=UserFactory(), backup=manager
        )

        assert selectors.role_warnings(community=community) == []


class TestFiveMusts:
    def test_unregistered_musts_are_not_measured_yet(self, community):
        states = {line.must.key: line.result.state for line in five_musts(community)}

        assert states["define_value"] == MustState.NOT_MET
        assert states["roles"] == MustState.NOT_MET
        assert states["know_members"] == MustState.NOT_MET  # registered by members/
        # Until planning/ registers its own:
        assert states["plan"] == MustState.NOT_MEASURED
        assert states["measure"] == MustState.NOT_MEASURED

    def test_define_value_is_computed_from_the_canvas(self, community):
        community.value_to_members = "Peers"
        assert extensions._must_checks["define_value"](community).state == MustState.PARTLY
        community.value_to_organisation = "Pipeline"
        assert extensions._must_checks["define_value"](community).state == MustState.MET

    def test_roles_is_met_with_a_team_and_backed_up_key_roles(self, community):
        manager, leader = members(community, 2, Tier.CORE_TEAM)
        RoleAssignmentFactory(community=community, role=Role.MANAGER, holder=manager)
        RoleAssignmentFactory(community=community, role=Role.LEADER, holder=leader)
        check = extensions._must_checks["roles"]
        assert check(community).state == MustState.PARTLY

        RoleAssignment.objects.filter(role=Role.MANAGER).update(backup=leader)
        RoleAssignment.objects.filter(role=Role.LEADER).update(backup=manager)

        assert check(community).state == MustState.MET

    def test_a_higher_app_can_register_a_must(self, community, monkeypatch):
        monkeypatch.setattr(extensions, "_must_checks", dict(extensions._must_checks))

        @register_must("plan")
        def plan(community):
            return MustResult(MustState.MET, "A plan exists.")

        lines = {line.must.key: line.result for line in five_musts(community)}
        assert lines["plan"].summary == "A plan exists."

    def test_only_the_five_musts_can_be_registered(self):
        with pytest.raises(ValueError, match="not one of the Five Musts"):
            register_must("have_fun")


def test_sponsored_and_requested_communities_count_as_mine(user):
    sponsored = CommunityFactory(visibility=Community.Visibility.PRIVATE, name="Sponsored")
    requested = CommunityFactory(visibility=Community.Visibility.UNLISTED, name="Requested")
    CommunityFactory(visibility=Community.Visibility.PRIVATE, name="Hidden")
    RoleAssignmentFactory(community=sponsored, role=Role.SPONSOR, holder=user)
    MembershipFactory(community=requested, user=user, status=Status.REQUESTED)

    names = {c.name: c.is_mine for c in selectors.community_list(user=user)}

    assert names == {"Requested": True, "Sponsored": True}


def test_a_backup_who_left_backs_no_one_up(community):
    manager, leader = members(community, 2, Tier.CORE_TEAM)
    gone = MembershipFactory(community=community)
    RoleAssignmentFactory(community=community, role=Role.MANAGER, holder=manager, backup=leader)
    RoleAssignmentFactory(community=community, role=Role.LEADER, holder=leader, backup=gone.user)
    gone.status = Status.LEFT
    gone.save()

    messages = [str(w.message) for w in selectors.role_warnings(community=community)]

    assert f"Community Leader ({leader.name}): the backup, {gone.user.name}, has left." in messages
    assert extensions._must_checks["roles"](community).state == MustState.PARTLY


def test_communities_run_only_by_one_person(community, other_community):
    person = UserFactory()
    MembershipFactory(community=community, user=person, tier=Membership.Tier.CORE_TEAM)
    shared = other_community
    MembershipFactory(community=shared, user=person, tier=Membership.Tier.CORE_TEAM)
    MembershipFactory(community=shared, tier=Membership.Tier.CORE_TEAM)  # someone else too
    MembershipFactory(community=CommunityFactory(), user=person)  # a plain member there
    MembershipFactory(  # left a community they ran: its Core Team is not theirs any more
        community=CommunityFactory(),
        user=person,
        tier=Membership.Tier.CORE_TEAM,
        status=Membership.Status.LEFT,
    )

    assert list(selectors.communities_run_only_by(users=[person])) == [community]
    (warning,) = selectors.core_team_deletion_warnings([person])
    assert person.email in warning
    assert community.name in warning


def test_communities_run_only_by_people_deleted_together(
    community, other_community, django_assert_num_queries
):
    first, second = UserFactory(email="ana@example.org"), UserFactory(email="bo@example.org")
    for person in (first, second):  # together they are the whole Core Team of both
        for place in (community, other_community):
            MembershipFactory(community=place, user=person, tier=Membership.Tier.CORE_TEAM)
    MembershipFactory(community=other_community, tier=Membership.Tier.CORE_TEAM)  # not here

    assert list(selectors.communities_run_only_by(users=[first])) == []
    with django_assert_num_queries(2):  # the communities, then who is leaving each
        warnings = selectors.core_team_deletion_warnings([first, second])

    assert warnings == [
        (
            "ana@example.org, bo@example.org are the only Core Team members of "
            f"{community.name}: once they are deleted, nobody can run it on the site. Move "
            "someone else into its Core Team first."
        )
    ]
