"""Community services: creation, joining, tiers, succession, participation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_delete
from communities import services
from communities.models import Community, Membership, RoleAssignment
from notifications.models import Delivery
from tests.factories import CommunityFactory, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
Tier, Status, Role = Membership.Tier, Membership.Status, RoleAssignment.Role


def test_the_creator_becomes_core_team_and_community_manager(user):
    community = services.community_create(
        creator=user, name=" Urban Water ", slug="urban-water", languages=["en", "fr"]
    )

    membership = Membership.objects.get(community=community, user=user)
    assert (membership.status, membership.tier) == (Status.ACTIVE, Tier.CORE_TEAM)
    assert membership.joined_at is not None
    assert RoleAssignment.objects.filter(
        community=community, role=Role.MANAGER, holder=user
    ).exists()
    assert community.name == "Urban Water"
    assert sorted(community.language_codes) == ["en", "fr"]


@pytest.mark.parametrize("slug", ["new", "admin", "api", "accounts", "Admin"])
def test_reserved_addresses_are_refused(user, slug):
    with pytest.raises(ValidationError) as error:
        services.community_create(creator=user, name="Anything", slug=slug)
    assert "is reserved by the site" in str(error.value.message_dict["slug"])
    assert not Community.objects.exists()


def test_a_taken_address_is_refused(user):
    CommunityFactory(slug="urban-water")

    with pytest.raises(ValidationError) as error:
        services.community_create(creator=user, name="Urban Water", slug="urban-water")
    assert error.value.message_dict["slug"] == ["Another community already uses this address."]


def test_settings_replace_the_working_languages(community):
    services.community_update_settings(
        community=community,
        name="Renamed",
        description="New words",
        visibility=Community.Visibility.UNLISTED,
        join_policy=Community.JoinPolicy.ON_REQUEST,
        languages=["es", "pt"],
    )
    services.community_update_settings(
        community=community,
        name="Renamed",
        description="",
        visibility=Community.Visibility.UNLISTED,
        join_policy=Community.JoinPolicy.ON_REQUEST,
        languages=["pt", "fr"],
    )

    community.refresh_from_db()
    assert sorted(community.language_codes) == ["fr", "pt"]
    assert community.visibility == Community.Visibility.UNLISTED


@pytest.mark.parametrize(
    ("policy", "status"),
    [
        (Community.JoinPolicy.OPEN, Status.ACTIVE),
        (Community.JoinPolicy.ON_REQUEST, Status.REQUESTED),
    ],
)
def test_joining_follows_the_policy(user, policy, status):
    community = CommunityFactory(join_policy=policy)

    membership = services.membership_join(community=community, user=user)

    assert (membership.status, membership.tier) == (status, Tier.MEMBER)
    assert (membership.joined_at is not None) == (status == Status.ACTIVE)


def test_invitation_only_refuses_strangers_but_lets_invitees_in(user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.INVITATION)
    with pytest.raises(ValidationError, match="by invitation only"):
        services.membership_join(community=community, user=user)

    invitee = MembershipFactory(community=community, status=Status.INVITED).user
    assert services.membership_join(community=community, user=invitee).status == Status.ACTIVE


def test_someone_removed_cannot_rejoin(user):
    community = CommunityFactory()
    MembershipFactory(community=community, user=user, status=Status.REMOVED)

    with pytest.raises(ValidationError, match="removed you"):
        services.membership_join(community=community, user=user)


def test_a_request_is_approved_or_declined(community):
    asking = MembershipFactory(community=community, status=Status.REQUESTED)
    declined = MembershipFactory(community=community, status=Status.REQUESTED)

    services.membership_approve(membership=asking)
    services.membership_decline(membership=declined)

    asking.refresh_from_db()
    assert asking.status == Status.ACTIVE
    assert not Membership.objects.filter(pk=declined.pk).exists()
    with pytest.raises(ValidationError):
        services.membership_approve(membership=asking)


class TestTheLastCoreTeamMember:
    def test_cannot_leave(self, community):
        last = MembershipFactory(community=community, tier=Tier.CORE_TEAM)

        with pytest.raises(ValidationError) as error:
            services.membership_leave(membership=last)

        assert "You are the last Core Team member" in error.value.messages[0]
        last.refresh_from_db()
        assert last.status == Status.ACTIVE

    def test_cannot_be_demoted_or_removed(self, community):
        last = MembershipFactory(community=community, tier=Tier.CORE_TEAM)

        with pytest.raises(ValidationError, match="is the last Core Team member"):
            services.membership_set_tier(membership=last, tier=Tier.MEMBER)
        with pytest.raises(ValidationError, match="is the last Core Team member"):
            services.membership_remove(membership=last)
        last.refresh_from_db()
        assert (last.status, last.tier) == (Status.ACTIVE, Tier.CORE_TEAM)

    def test_can_go_once_someone_else_is_in_the_core_team(self, community):
        first = MembershipFactory(community=community, tier=Tier.CORE_TEAM)
        second = MembershipFactory(community=community, tier=Tier.MEMBER)

        services.membership_set_tier(membership=second, tier=Tier.CORE_TEAM)
        services.membership_leave(membership=first)

        first.refresh_from_db()
        assert first.status == Status.LEFT
        with pytest.raises(ValidationError):
            services.membership_leave(membership=second)

    def test_a_core_team_member_who_already_left_does_not_count(self, community):
        MembershipFactory(community=community, tier=Tier.CORE_TEAM, status=Status.LEFT)
        last = MembershipFactory(community=community, tier=Tier.CORE_TEAM)

        with pytest.raises(ValidationError):
            services.membership_set_tier(membership=last, tier=Tier.CORE_GROUP)


class TestRoles:
    def test_holders_and_backups_must_be_active_members(self, community, other_community):
        member = MembershipFactory(community=community).user
        outsider = MembershipFactory(community=other_community).user

        with pytest.raises(ValidationError) as error:
            services.role_assign(community=community, role=Role.LEADER, holder=outsider)
        assert "holder" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.role_assign(
                community=community, role=Role.LEADER, holder=member, backup=outsider
            )
        assert "backup" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.role_assign(
                community=community, role=Role.LEADER, holder=member, backup=member
            )
        assert error.value.message_dict["backup"] == [
            "The backup must be someone other than the holder."
        ]
        assert not RoleAssignment.objects.filter(community=community).exists()

    def test_a_sponsor_need_not_be_a_member(self, community):
        outsider = UserFactory()

        assignment = services.role_assign(community=community, role=Role.SPONSOR, holder=outsider)

        assert assignment.holder == outsider

    def test_one_person_may_hold_several_roles_but_not_the_same_twice(self, community):
        member = MembershipFactory(community=community).user
        services.role_assign(community=community, role=Role.LEADER, holder=member)
        services.role_assign(community=community, role=Role.TECHNICAL_EXPERT, holder=member)

        with pytest.raises(ValidationError, match="already holds"):
            services.role_assign(community=community, role=Role.LEADER, holder=member)


class TestSuccession:
    @pytest.fixture
    def leader_role(self, community):
        MembershipFactory(community=community, tier=Tier.CORE_TEAM)  # someone else runs it
        holder = MembershipFactory(community=community, tier=Tier.CORE_TEAM)
        backup = MembershipFactory(community=community)
        return RoleAssignmentFactory(
            community=community, role=Role.LEADER, holder=holder.user, backup=backup.user
        )

    @pytest.mark.parametrize("end", [services.membership_leave, services.membership_remove])
    def test_the_backup_takes_over_when_the_core_team_confirms(self, community, leader_role, end):
        holder_membership = Membership.objects.get(community=community, user=leader_role.holder)
        backup = leader_role.backup

        end(membership=holder_membership)
        handed = services.role_hand_over(assignment=leader_role)

        assert (handed.holder, handed.backup) == (backup, None)

    def test_no_hand_over_while_the_holder_is_still_here(self, leader_role):
        with pytest.raises(ValidationError, match="still an active member"):
            services.role_hand_over(assignment=leader_role)

    def test_no_hand_over_to_a_backup_who_left_too(self, community, leader_role):
        for user in (leader_role.holder, leader_role.backup):
            Membership.objects.filter(community=community, user=user).update(status=Status.LEFT)

        with pytest.raises(ValidationError, match="no longer an active member"):
            services.role_hand_over(assignment=leader_role)


def test_participation_dates_only_widen(community, member):
    early = timezone.now() - dt.timedelta(days=30)
    late = timezone.now()

    services.membership_record_participation(community=community, user=member, at=late)
    services.membership_record_participation(community=community, user=member, at=early)
    services.membership_record_participation(
        community=community, user=member, at=early + dt.timedelta(days=1)
    )

    membership = Membership.objects.get(community=community, user=member)
    assert (membership.first_participated_at, membership.last_participated_at) == (early, late)


def test_canvas_sections_are_saved_one_at_a_time(community):
    services.community_update_canvas(community=community, section="purpose", text=" Why we meet ")

    community.refresh_from_db()
    assert community.purpose == "Why we meet"
    with pytest.raises(ValidationError):
        services.community_update_canvas(community=community, section="name", text="Hacked")


class TestSuccessionEmail:
    def test_the_core_team_and_the_backup_are_told_once(
        self, community, mailoutbox, django_capture_on_commit_callbacks
    ):
        manager = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
        leaving = MembershipFactory(community=community, tier=Tier.CORE_TEAM)
        backup = MembershipFactory(community=community).user
        bystander = MembershipFactory(community=community).user
        RoleAssignmentFactory(
            community=community, role=Role.LEADER, holder=leaving.user, backup=backup
        )
        RoleAssignmentFactory(community=community, role=Role.TECHNICAL_EXPERT, holder=leaving.user)

        with django_capture_on_commit_callbacks(execute=True):
            services.membership_leave(membership=leaving)
            services.membership_leave(membership=leaving)  # a second click changes nothing

        by_recipient = {message.to[0]: message for message in mailoutbox}
        assert sorted(by_recipient) == sorted([manager.email, backup.email])
        assert bystander.email not in by_recipient
        body = by_recipient[manager.email].body
        assert f"{leaving.user.name} is no longer a member of Urban Water Practitioners" in body
        assert f"- Community Leader: backup {backup.name}" in body
        assert "- Technical Expert: no backup" in body
        assert "http://127.0.0.1:8000/urban-water/roles/" in body
        assert "You are named as a backup" in by_recipient[backup.email].body

    def test_no_email_when_the_member_held_no_role(
        self, community, member, mailoutbox, django_capture_on_commit_callbacks
    ):
        MembershipFactory(community=community, tier=Tier.CORE_TEAM)

        with django_capture_on_commit_callbacks(execute=True):
            services.membership_leave(membership=Membership.objects.get(user=member))

        assert not Delivery.objects.exists()
        assert mailoutbox == []


class TestReviewFindings:
    def test_a_double_click_on_join_keeps_one_membership(self, community, user):
        MembershipFactory(community=community, user=user)  # the first click won the race

        duplicate = Membership(community=community, user=user)
        assert services._saved_once(duplicate) is False
        assert Membership.objects.filter(community=community, user=user).count() == 1

    def test_a_double_click_on_assign_is_a_clear_error(self, community, member, monkeypatch):
        services.role_assign(community=community, role=Role.LEADER, holder=member)
        # The second request passed its check before the first one committed.
        monkeypatch.setattr(services.RoleAssignment.objects, "filter", _never_exists(services))

        with pytest.raises(ValidationError, match="already holds"):
            services.role_assign(community=community, role=Role.LEADER, holder=member)

    def test_a_second_request_after_leaving_is_emailed_again(
        self, community, user, mailoutbox, django_capture_on_commit_callbacks
    ):
        community.join_policy = Community.JoinPolicy.ON_REQUEST
        community.save()
        MembershipFactory(community=community, tier=Tier.CORE_TEAM)

        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                membership = services.membership_join(
                    community=community, user=user, motivation="x"
                )
                services.membership_approve(membership=membership)
                services.membership_leave(membership=membership)

        welcomes = [m for m in mailoutbox if m.to == [user.email]]
        assert len(welcomes) == 2

    def test_removing_a_member_also_ends_their_sponsor_access(self, community, member):
        RoleAssignmentFactory(community=community, role=Role.SPONSOR, holder=member)
        MembershipFactory(community=community, tier=Tier.CORE_TEAM)

        services.membership_remove(membership=Membership.objects.get(user=member))

        assert not RoleAssignment.objects.filter(holder=member).exists()

    def test_the_sponsor_role_is_never_handed_over(self, community):
        backup = MembershipFactory(community=community).user
        role = RoleAssignmentFactory(
            community=community, role=Role.SPONSOR, holder=UserFactory(), backup=backup
        )

        with pytest.raises(ValidationError, match="not handed over"):
            services.role_hand_over(assignment=role)

    def test_slugs_are_lowercase(self, user):
        community = services.community_create(creator=user, name="Water", slug="Urban-Water")

        assert community.slug == "urban-water"


def _never_exists(services_module):
    real_filter = services_module.RoleAssignment.objects.filter

    def filter_(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        queryset.exists = lambda: False
        return queryset

    return filter_


def test_a_deleted_account_ends_each_of_its_memberships(monkeypatch, community, other_community):
    """Before an account is deleted, its memberships are deleted as staff would delete one:
    the listeners of ended memberships and of narrowed standing hear of each."""
    person = UserFactory()
    kept = MembershipFactory(community=community)  # someone else's, left alone
    for joined in (community, other_community):
        MembershipFactory(community=joined, user=person)
    ended, narrowed = [], []
    monkeypatch.setattr(
        services,
        "membership_ended",
        lambda *, community, user: ended.append((community.slug, user.pk)),
    )
    monkeypatch.setattr(
        services,
        "standing_changed",
        lambda *, community, user: narrowed.append((community.slug, user.pk)),
    )

    services.memberships_delete_of(user=person)

    assert not Membership.objects.filter(user=person).exists()
    assert Membership.objects.filter(pk=kept.pk).exists()
    expected = sorted([(community.slug, person.pk), (other_community.slug, person.pk)])
    assert sorted(ended) == sorted(narrowed) == expected


def test_the_role_checks_refuse_as_the_services_do_and_write_nothing(community):
    member = MembershipFactory(community=community).user
    outsider = UserFactory()

    with pytest.raises(ValidationError) as refused:
        services.role_assign_check(
            community=community, role=RoleAssignment.Role.LEADER, holder=outsider
        )
    assert "holder" in refused.value.message_dict
    services.role_assign_check(community=community, role=RoleAssignment.Role.LEADER, holder=member)
    assert not RoleAssignment.objects.exists()  # checked, not assigned

    assignment = services.role_assign(
        community=community, role=RoleAssignment.Role.LEADER, holder=member
    )
    with pytest.raises(ValidationError) as refused:
        services.role_set_backup_check(assignment=assignment, backup=outsider)
    assert "backup" in refused.value.message_dict
    assignment.refresh_from_db()
    assert assignment.backup is None


def test_a_deleted_accounts_roles_are_announced_to_the_core_team_and_backups(
    community, mailoutbox, django_capture_on_commit_callbacks
):
    core_team = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
    person = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
    backup = MembershipFactory(community=community).user
    MembershipFactory(community=community)  # a member, not told
    RoleAssignmentFactory(community=community, role=Role.MANAGER, holder=person, backup=backup)
    RoleAssignmentFactory(community=community, role=Role.SPONSOR, holder=person)  # not handed on

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=person)

    told = {message.to[0]: message for message in mailoutbox}
    assert set(told) == {core_team.email, backup.email}
    to_core_team = told[core_team.email]
    assert f"{person.name}'s account was deleted: roles to assign in {community.name}" in (
        to_core_team.subject
    )
    assert f"Community Manager: backup {backup.name}" in to_core_team.body
    assert "Community Sponsor" not in to_core_team.body
    assert "assign each role again on the roles page (to its backup first" in to_core_team.body
    assert reverse("community_roles", kwargs={"slug": community.slug}) in to_core_team.body
    assert "You were named as a backup" in told[backup.email].body
    assert not RoleAssignment.objects.filter(holder_id=person.pk).exists()  # gone with them


def test_roles_without_a_backup_are_announced_without_one(
    community, mailoutbox, django_capture_on_commit_callbacks
):
    core_team = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
    person = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
    RoleAssignmentFactory(community=community, role=Role.LEADER, holder=person, backup=None)

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=person)

    (message,) = mailoutbox
    assert message.to == [core_team.email]
    assert "Community Leader: no backup" in message.body
    assert "assign each role again on the roles page:" in message.body
    assert "backup first" not in message.body
