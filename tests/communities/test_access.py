"""Access rules through the URLs: private communities, IDOR, mass assignment."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from communities import rules
from communities.models import Community, Membership, RoleAssignment
from tests.assertions import assert_reads_as_the_orm
from tests.factories import CommunityFactory, MembershipFactory, RoleAssignmentFactory
from tests.test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

COMMUNITY_URLS = sorted(
    name for name in MATRIX if name.startswith("community_") and name != "community_create"
)


@pytest.fixture
def private_objects(community, other_community):
    community.visibility = Community.Visibility.PRIVATE
    community.save()
    return {
        "community": community,
        "role": RoleAssignmentFactory(
            community=community,
            role=RoleAssignment.Role.LEADER,
            holder=MembershipFactory(community=community).user,
        ),
        "membership": MembershipFactory(community=community),
        "join_request": MembershipFactory(community=community, status=Membership.Status.REQUESTED),
    }


@pytest.mark.parametrize("actor", ["visitor", "user", "other_manager"])
@pytest.mark.parametrize("url_name", COMMUNITY_URLS)
def test_a_private_community_does_not_exist_for_outsiders(
    url_name, actor, client_as, private_objects
):
    row = MATRIX[url_name]
    client = client_as(actor)

    response = getattr(client, row.method)(reverse(url_name, kwargs=row.kwargs(private_objects)))

    assert response.status_code == 404


@pytest.mark.parametrize("actor", ["member", "sponsor"])
def test_members_and_sponsors_see_a_private_community(actor, client_as, private_objects):
    client = client_as(actor)

    response = client.get(reverse("community_home", kwargs={"slug": "urban-water"}))

    assert response.status_code == 200


def test_a_private_community_is_not_listed_for_outsiders(client_as, private_objects):
    assert "Urban Water" not in client_as("user").get(reverse("home")).content.decode()
    assert "Urban Water" in client_as("member").get(reverse("home")).content.decode()


class TestAnotherCommunitysObjects:
    """Objects of community A addressed through community B's URLs answer 404 and change
    nothing, even for B's Core Team."""

    @pytest.fixture
    def b_core_team(self, client, other_community):
        manager = MembershipFactory(community=other_community, tier=Membership.Tier.CORE_TEAM)
        client.force_login(manager.user)
        return client

    @pytest.fixture
    def a_role(self, community):
        holder = MembershipFactory(community=community).user
        return RoleAssignmentFactory(
            community=community, role=RoleAssignment.Role.LEADER, holder=holder
        )

    def test_a_role_assignment_of_a_changed_through_b(self, b_core_team, other_community, a_role):
        backup = MembershipFactory(community=other_community).user
        slug = other_community.slug

        responses = [
            b_core_team.post(
                reverse("community_role_edit", kwargs={"slug": slug, "pk": a_role.pk}),
                {"backup": backup.email},
            ),
            b_core_team.post(
                reverse("community_role_remove", kwargs={"slug": slug, "pk": a_role.pk})
            ),
            b_core_team.post(
                reverse("community_role_hand_over", kwargs={"slug": slug, "pk": a_role.pk})
            ),
        ]

        assert [r.status_code for r in responses] == [404, 404, 404]
        a_role.refresh_from_db()
        assert a_role.backup is None

    def test_a_membership_of_a_changed_through_b(self, b_core_team, other_community, community):
        member = MembershipFactory(community=community)
        slug = other_community.slug

        responses = [
            b_core_team.post(
                reverse("community_person_tier", kwargs={"slug": slug, "pk": member.pk}),
                {"tier": "core_team"},
            ),
            b_core_team.post(
                reverse("community_person_remove", kwargs={"slug": slug, "pk": member.pk})
            ),
        ]

        assert [r.status_code for r in responses] == [404, 404]
        member.refresh_from_db()
        assert (member.tier, member.status) == (Membership.Tier.MEMBER, Membership.Status.ACTIVE)


class TestMassAssignment:
    def test_settings_ignore_fields_the_form_does_not_offer(
        self, client, community, other_community
    ):
        manager = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
        client.force_login(manager.user)

        client.post(
            reverse("community_settings", kwargs={"slug": community.slug}),
            {
                "name": "Renamed",
                "description": "",
                "visibility": "public",
                "join_policy": "open",
                "slug": "stolen",
                "community": other_community.pk,
                "tier": "core_team",
                "role": "sponsor",
            },
        )

        community.refresh_from_db()
        assert (community.name, community.slug) == ("Renamed", "urban-water")
        assert list(Membership.objects.values_list("community_id", "tier")) == [
            (community.pk, Membership.Tier.CORE_TEAM)
        ]
        assert not RoleAssignment.objects.exists()

    def test_joining_cannot_choose_a_tier_or_role(self, client, user):
        community = CommunityFactory(join_policy=Community.JoinPolicy.OPEN)
        client.force_login(user)

        client.post(
            reverse("community_join", kwargs={"slug": community.slug}),
            {"tier": "core_team", "role": "manager", "status": "active", "community": 1},
        )

        membership = Membership.objects.get(community=community, user=user)
        assert membership.tier == Membership.Tier.MEMBER
        assert not RoleAssignment.objects.filter(holder=user).exists()

    def test_the_profile_form_cannot_touch_memberships(self, client, member, community):
        client.force_login(member)

        client.post(
            reverse("accounts:profile"),
            {
                "display_name": "Me",
                "organisation": "",
                "country": "",
                "time_zone": "UTC",
                "preferred_language": "en",
                "tier": "core_team",
                "community": community.pk,
            },
        )

        assert Membership.objects.get(user=member).tier == Membership.Tier.MEMBER


class TestAccessForSlug:
    """`access_for_slug` runs on every community page: its query count is every page's."""

    def test_a_member_costs_one_query(self, community, member, django_assert_num_queries):
        with django_assert_num_queries(1):
            access = rules.access_for_slug(member, community.slug)
            assert rules.can_see_member_pages(access)

        assert access.community == community
        assert access.tier == Membership.Tier.MEMBER

    def test_a_member_who_also_sponsors_is_a_sponsor(self, community, member):
        RoleAssignmentFactory(community=community, role=RoleAssignment.Role.SPONSOR, holder=member)

        assert rules.access_for_slug(member, community.slug).is_sponsor

    def test_a_sponsor_from_outside_is_a_sponsor(self, community, user):
        RoleAssignmentFactory(community=community, role=RoleAssignment.Role.SPONSOR, holder=user)

        access = rules.access_for_slug(user, community.slug)

        assert access.membership is None
        assert access.is_sponsor
        assert rules.can_see_member_pages(access)

    def test_another_communitys_sponsor_is_not_this_ones(self, community, other_community, user):
        RoleAssignmentFactory(
            community=other_community, role=RoleAssignment.Role.SPONSOR, holder=user
        )

        assert not rules.access_for_slug(user, community.slug).is_sponsor

    def test_an_unknown_slug_is_none(self, user):
        assert rules.access_for_slug(user, "no-such-community") is None

    def test_a_non_member_costs_one_query(self, community, user, django_assert_num_queries):
        with django_assert_num_queries(1):
            access = rules.access_for_slug(user, community.slug)

        assert access.community == community
        assert access.membership is None

    def test_a_visitor_costs_one_query(self, community, django_assert_num_queries):
        with django_assert_num_queries(1):
            access = rules.access_for_slug(AnonymousUser(), community.slug)

        assert access.community == community
        assert access.membership is None
        assert not access.is_sponsor

    def test_another_communitys_membership_is_not_this_ones(self, community, other_community):
        elsewhere = MembershipFactory(community=other_community)

        access = rules.access_for_slug(elsewhere.user, community.slug)

        assert access.community == community
        assert access.membership is None

    def test_reads_the_rows_as_the_orm_does(self, community, member, django_assert_num_queries):
        access = rules.access_for_slug(member, community.slug)

        membership = Membership.objects.get(community=community, user=member)
        for model, loaded in ((Membership, access.membership), (Community, access.community)):
            assert_reads_as_the_orm(loaded, model.objects.get(pk=loaded.pk))
        assert access.membership == membership
        with django_assert_num_queries(0):
            assert access.membership.community is access.community
