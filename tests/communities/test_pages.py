"""Community pages through the client: what people see and do."""

import re

import pytest
from django.urls import reverse

from communities.models import Community, CommunityLanguage, Membership, RoleAssignment
from tests.factories import CommunityFactory, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
Tier, Status, Role = Membership.Tier, Membership.Status, RoleAssignment.Role


def url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


@pytest.fixture
def manager(client, community):
    membership = MembershipFactory(community=community, tier=Tier.CORE_TEAM)
    RoleAssignmentFactory(community=community, role=Role.MANAGER, holder=membership.user)
    client.force_login(membership.user)
    return membership


class TestCreate:
    def test_a_signed_in_user_starts_a_community(self, client, user):
        client.force_login(user)

        response = client.post(
            reverse("community_create"),
            {
                "name": "Peer Assist Network",
                "slug": "",
                "description": "Help each other",
                "visibility": "public",
                "join_policy": "open",
                "languages": ["en", "fr"],
            },
        )

        community = Community.objects.get()
        assert community.slug == "peer-assist-network"
        assert response["Location"] == url("community_canvas", community)
        assert Membership.objects.get(user=user).tier == Tier.CORE_TEAM

    @pytest.mark.parametrize(
        ("slug", "message"),
        [
            ("new", "“new” is reserved by the site. Choose another address."),
            ("taken", "Another community already uses this address."),
            ("not a slug!", "Enter a valid “slug”"),
        ],
    )
    def test_a_bad_address_is_explained_at_the_field(self, client, user, slug, message):
        CommunityFactory(slug="taken")
        client.force_login(user)

        response = client.post(
            reverse("community_create"),
            {"name": "My CoP", "slug": slug, "visibility": "public", "join_policy": "open"},
        )

        assert response.status_code == 200
        assert any(message in error for error in response.context["form"]["slug"].errors)
        assert 'value="My CoP"' in response.content.decode()
        assert Community.objects.count() == 1

    def test_an_address_made_from_a_taken_name_is_explained_too(self, client, user):
        CommunityFactory(slug="water")
        client.force_login(user)

        response = client.post(
            reverse("community_create"),
            {"name": "Water", "slug": "", "visibility": "public", "join_policy": "open"},
        )

        assert response.context["form"]["slug"].errors == [
            "Another community already uses this address."
        ]


class TestPublicPageAndJoining:
    @pytest.mark.parametrize(
        ("policy", "button"),
        [
            (Community.JoinPolicy.OPEN, "Join"),
            (Community.JoinPolicy.ON_REQUEST, "Ask to join"),
        ],
    )
    def test_the_join_button_follows_the_policy(self, client, user, policy, button):
        community = CommunityFactory(join_policy=policy)
        client.force_login(user)

        html = client.get(url("community_public", community)).content.decode()

        assert re.search(rf"<button[^>]*>\s*{button}\s*</button>", html)

    def test_invitation_only_shows_no_button(self, client, user):
        community = CommunityFactory(join_policy=Community.JoinPolicy.INVITATION)
        client.force_login(user)

        html = client.get(url("community_public", community)).content.decode()

        assert "Membership is by invitation" in html
        assert url("community_join", community) not in html

    def test_a_visitor_is_asked_to_sign_in(self, client, community):
        html = client.get(url("community_public", community)).content.decode()

        assert "Sign in to join" in html

    def test_joining_an_open_community_lands_on_the_member_home(self, client, user, community):
        client.force_login(user)

        response = client.post(url("community_join", community), follow=True)

        assert response.redirect_chain[-1][0] == url("community_home", community)
        assert "Welcome to Urban Water Practitioners!" in response.content.decode()

    def test_asking_to_join_waits_for_the_core_team(
        self, client, user, mailoutbox, django_capture_on_commit_callbacks
    ):
        community = CommunityFactory(join_policy=Community.JoinPolicy.ON_REQUEST)
        manager = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
        client.force_login(user)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("community_join", community),
                {"motivation": "We run a drought plan.", "acquisition_source": "search"},
                follow=True,
            )

        html = response.content.decode()
        assert "Your request has been sent to the Core Team." in html
        assert "Your request to join is waiting for the Core Team." in html
        membership = Membership.objects.get(user=user)
        assert (membership.request_message, membership.acquisition_source) == (
            "We run a drought plan.",
            "search",
        )
        assert [m.to for m in mailoutbox] == [[manager.email]]
        assert "We run a drought plan." in mailoutbox[0].body

    def test_a_request_needs_a_motivation_said_at_the_field(self, client, user):
        community = CommunityFactory(join_policy=Community.JoinPolicy.ON_REQUEST)
        client.force_login(user)

        response = client.post(url("community_join", community), {"acquisition_source": "search"})

        assert response.status_code == 200
        assert response.context["join_form"]["motivation"].errors == ["This field is required."]
        assert 'id="id_motivation_error"' in response.content.decode()
        assert not Membership.objects.filter(user=user).exists()

    def test_an_unknown_source_is_refused(self, client, user, community):
        client.force_login(user)

        response = client.post(url("community_join", community), {"acquisition_source": "bribe"})

        assert response.context["join_form"]["acquisition_source"].errors
        assert not Membership.objects.filter(user=user).exists()


class TestLeaving:
    def test_a_member_confirms_then_leaves(self, client, community, member):
        client.force_login(member)

        confirm = client.get(url("community_leave", community))
        response = client.post(url("community_leave", community), follow=True)

        assert "Leave Urban Water Practitioners?" in confirm.content.decode()
        assert "You have left Urban Water Practitioners." in response.content.decode()
        assert Membership.objects.get(user=member).status == Status.LEFT

    def test_the_last_core_team_member_is_told_why_not(self, client, community, manager):
        response = client.post(url("community_leave", community), follow=True)

        assert "You are the last Core Team member" in response.content.decode()
        manager.refresh_from_db()
        assert manager.status == Status.ACTIVE


class TestCanvas:
    def test_members_read_the_canvas_as_sanitised_markdown(self, client, community, member):
        community.purpose = "We share **tested** practice.<script>alert(1)</script>"
        community.save()
        client.force_login(member)

        html = client.get(url("community_canvas", community)).content.decode()

        assert "<strong>tested</strong>" in html
        assert "<script>alert(1)</script>" not in html
        assert url("community_canvas_edit", community, section="purpose") not in html

    def test_the_core_team_edits_a_section_in_place(self, client, community, manager):
        edit_url = url("community_canvas_edit", community, section="people")

        form = client.get(edit_url, headers={"HX-Request": "true"})
        saved = client.post(
            edit_url, {"text": "Utility *engineers*"}, headers={"HX-Request": "true"}
        )

        assert "<html" not in form.content.decode()
        assert 'name="text"' in form.content.decode()
        assert "<html" not in saved.content.decode()
        assert "<em>engineers</em>" in saved.content.decode()
        community.refresh_from_db()
        assert community.people == "Utility *engineers*"

    def test_without_javascript_the_edit_is_a_page_of_its_own(self, client, community, manager):
        edit_url = url("community_canvas_edit", community, section="purpose")

        assert "<html" in client.get(edit_url).content.decode()
        response = client.post(edit_url, {"text": "Why"})

        assert response["Location"] == url("community_canvas", community) + "#purpose"

    def test_too_long_a_text_is_refused_and_kept(self, client, community, manager):
        response = client.post(
            url("community_canvas_edit", community, section="purpose"), {"text": "x" * 10_001}
        )

        assert response.status_code == 200
        assert response.context["form"]["text"].errors
        community.refresh_from_db()
        assert community.purpose == ""

    def test_an_unknown_section_is_not_found(self, client, community, manager):
        assert (
            client.get(url("community_canvas_edit", community, section="name")).status_code == 404
        )


class TestSettings:
    def test_the_core_team_saves_settings(self, client, community, manager):
        response = client.post(
            url("community_settings", community),
            {
                "name": "Urban Water",
                "description": "Short",
                "visibility": "unlisted",
                "join_policy": "request",
                "languages": ["fr"],
            },
        )

        assert response.status_code == 302
        community.refresh_from_db()
        assert (community.visibility, community.join_policy) == ("unlisted", "request")
        assert community.language_codes == ["fr"]

    def test_bad_input_is_explained_and_nothing_is_saved(self, client, community, manager):
        response = client.post(
            url("community_settings", community),
            {"name": "", "description": "Short", "visibility": "secret", "join_policy": "open"},
        )

        form = response.context["form"]
        assert form["name"].errors
        assert form["visibility"].errors
        community.refresh_from_db()
        assert community.name == "Urban Water Practitioners"
        # The page header still shows the saved name, not the rejected input.
        assert '<h1 class="h3 mb-3">Urban Water Practitioners</h1>' in response.content.decode()

    def test_the_settings_page_shows_the_five_musts(self, client, community, manager):
        html = client.get(url("community_settings", community)).content.decode()

        assert 'data-must="define_value" data-state="not_met"' in html
        assert 'data-must="know_members" data-state="not_met"' in html


class TestRolesPage:
    def test_assigning_a_leader_with_a_backup_clears_its_warning(self, client, community, manager):
        leader = MembershipFactory(community=community, tier=Tier.CORE_TEAM).user
        backup = MembershipFactory(community=community).user
        roles_url = url("community_roles", community)
        assert "No one holds the Community Leader role." in client.get(roles_url).content.decode()

        response = client.post(
            url("community_role_assign", community),
            {"role": Role.LEADER, "holder": leader.email.upper(), "backup": backup.email},
            follow=True,
        )

        html = response.content.decode()
        assert f"{leader.name} is now Community Leader." in html
        assert "No one holds the Community Leader role." not in html
        assert "Community Leader (" not in html  # no "has no backup" line for it

    def test_an_unknown_or_outside_person_is_explained_at_the_field(
        self, client, community, other_community, manager
    ):
        outsider = MembershipFactory(community=other_community).user

        unknown = client.post(
            url("community_role_assign", community),
            {"role": Role.LEADER, "holder": "nobody@example.org"},
        )
        outside = client.post(
            url("community_role_assign", community), {"role": Role.LEADER, "holder": outsider.email}
        )

        assert unknown.context["form"]["holder"].errors == [
            "No one with this email has an account here."
        ]
        assert outside.context["form"]["holder"].errors == [
            "Only an active member of this community can hold this role."
        ]
        assert not RoleAssignment.objects.filter(role=Role.LEADER).exists()

    def test_a_sponsor_from_outside_gets_read_only_access(self, client, community, manager):
        funder = UserFactory()
        client.post(
            url("community_role_assign", community), {"role": Role.SPONSOR, "holder": funder.email}
        )
        client.force_login(funder)

        assert client.get(url("community_home", community)).status_code == 200
        assert client.get(url("community_settings", community)).status_code == 403

    def test_the_core_team_hands_a_departed_holders_role_to_the_backup(
        self, client, community, manager
    ):
        holder = MembershipFactory(community=community)
        backup = MembershipFactory(community=community)
        role = RoleAssignmentFactory(
            community=community, role=Role.LEADER, holder=holder.user, backup=backup.user
        )
        holder.status = Status.LEFT
        holder.save()

        page = client.get(url("community_roles", community)).content.decode()
        assert f"Make {backup.user.name} the holder" in page
        assert f"Community Leader is held by {holder.user.name}, who has left" in page

        response = client.post(url("community_role_hand_over", community, pk=role.pk), follow=True)

        role.refresh_from_db()
        assert (role.holder, role.backup) == (backup.user, None)
        assert f"{backup.user.name} is now Community Leader. Choose a backup" in (
            response.content.decode()
        )

    def test_a_backup_is_changed_and_a_role_removed_after_confirmation(
        self, client, community, manager
    ):
        holder = MembershipFactory(community=community).user
        backup = MembershipFactory(community=community).user
        role = RoleAssignmentFactory(community=community, role=Role.TECHNICAL_EXPERT, holder=holder)

        client.post(url("community_role_edit", community, pk=role.pk), {"backup": backup.email})
        role.refresh_from_db()
        assert role.backup == backup

        confirm = client.get(url("community_role_remove", community, pk=role.pk))
        assert "Remove" in confirm.content.decode()
        assert RoleAssignment.objects.filter(pk=role.pk).exists()
        client.post(url("community_role_remove", community, pk=role.pk))
        assert not RoleAssignment.objects.filter(pk=role.pk).exists()


class TestPeoplePage:
    def test_the_core_team_changes_a_tier(self, client, community, manager, member):
        membership = Membership.objects.get(user=member)

        client.post(
            url("community_person_tier", community, pk=membership.pk), {"tier": "core_group"}
        )

        membership.refresh_from_db()
        assert membership.tier == Tier.CORE_GROUP

    def test_demoting_the_last_core_team_member_is_refused_with_a_reason(
        self, client, community, manager
    ):
        response = client.post(
            url("community_person_tier", community, pk=manager.pk), {"tier": "member"}, follow=True
        )

        assert "is the last Core Team member" in response.content.decode()
        manager.refresh_from_db()
        assert manager.tier == Tier.CORE_TEAM

    def test_requests_are_approved_or_declined(self, client, community, manager):
        asking = MembershipFactory(community=community, status=Status.REQUESTED)
        page = client.get(url("community_people", community)).content.decode()
        assert asking.user.email in page

        client.post(
            url("community_person_request", community, pk=asking.pk), {"decision": "approve"}
        )

        asking.refresh_from_db()
        assert asking.status == Status.ACTIVE

    def test_removal_needs_a_confirmation(self, client, community, manager, member):
        membership = Membership.objects.get(user=member)
        remove_url = url("community_person_remove", community, pk=membership.pk)

        assert "Remove from the community" in client.get(remove_url).content.decode()
        membership.refresh_from_db()
        assert membership.status == Status.ACTIVE

        client.post(remove_url)
        membership.refresh_from_db()
        assert membership.status == Status.REMOVED

    def test_search_keeps_its_term_across_pages(self, client, community, manager):
        # A term no generated name, email or organisation contains (the manager's may hold "ana").
        for number in range(55):
            person = UserFactory(display_name=f"Qwyzana {number}")
            MembershipFactory(community=community, user=person)

        page_one = client.get(url("community_people", community), {"q": "Qwyzana"})

        assert page_one.context["page"].paginator.count == 55
        assert "?q=Qwyzana&amp;page=2" in page_one.content.decode()


class TestCommunityList:
    def test_mine_come_first_then_public_ones(self, client, user):
        CommunityFactory(name="Alpha public")
        mine = CommunityFactory(name="Zulu private", visibility=Community.Visibility.PRIVATE)
        MembershipFactory(community=mine, user=user)
        client.force_login(user)

        names = [c.name for c in client.get(reverse("home")).context["page"].object_list]

        assert names == ["Zulu private", "Alpha public"]

    def test_search_and_language_filter(self, client):
        water = CommunityFactory(name="Water utilities", description="pipes")
        CommunityFactory(name="Finance", description="bonds and water funds")
        CommunityFactory(name="Health", description="clinics")
        CommunityLanguage.objects.create(community=water, code="fr")

        by_text = client.get(reverse("home"), {"q": "water"}).context["page"].object_list
        by_language = client.get(reverse("home"), {"language": "fr"}).context["page"].object_list

        assert sorted(c.name for c in by_text) == ["Finance", "Water utilities"]
        assert [c.name for c in by_language] == ["Water utilities"]

    def test_htmx_gets_only_the_list(self, client):
        CommunityFactory(name="Water utilities")

        response = client.get(reverse("home"), {"q": "nothing"}, headers={"HX-Request": "true"})

        html = response.content.decode()
        assert "<html" not in html
        assert "No community matches your search." in html


@pytest.mark.parametrize("count", [10, 100])
class TestQueryBudgets:
    def test_people_page(self, client, community, manager, django_assert_max_num_queries, count):
        MembershipFactory.create_batch(count, community=community)
        MembershipFactory.create_batch(3, community=community, status=Status.REQUESTED)

        with django_assert_max_num_queries(9):
            response = client.get(url("community_people", community))
        assert response.status_code == 200

    def test_roles_page(self, client, community, manager, django_assert_max_num_queries, count):
        for membership in MembershipFactory.create_batch(count, community=community):
            RoleAssignmentFactory(
                community=community, role=Role.TECHNICAL_EXPERT, holder=membership.user
            )

        with django_assert_max_num_queries(9):
            response = client.get(url("community_roles", community))
        assert response.status_code == 200

    def test_member_home(self, client, community, manager, django_assert_max_num_queries, count):
        for membership in MembershipFactory.create_batch(count, community=community):
            RoleAssignmentFactory(
                community=community, role=Role.TECHNICAL_EXPERT, holder=membership.user
            )

        with django_assert_max_num_queries(17):
            response = client.get(url("community_home", community))
        assert response.status_code == 200

    def test_community_list_with_my_communities(
        self, client, user, django_assert_max_num_queries, count
    ):
        for community in CommunityFactory.create_batch(count):
            MembershipFactory(community=community, user=user)
            CommunityLanguage.objects.create(community=community, code="en")
        client.force_login(user)

        with django_assert_max_num_queries(6):
            response = client.get(reverse("home"))
        assert response.status_code == 200


@pytest.mark.parametrize("policy", Community.JoinPolicy.values)
def test_an_invitee_accepts_under_every_policy(client, user, policy):
    community = CommunityFactory(join_policy=policy)
    MembershipFactory(community=community, user=user, status=Status.INVITED, joined_at=None)
    client.force_login(user)
    page = client.get(url("community_public", community)).content.decode()
    assert "Accept the invitation" in page
    assert 'name="motivation"' not in page

    response = client.post(url("community_join", community))

    assert response["Location"] == url("community_home", community)
    membership = Membership.objects.get(user=user)
    assert membership.status == Status.ACTIVE
    assert membership.acquisition_source == Membership.Source.DIRECT_INVITATION


def test_a_visitors_join_goes_to_sign_in_and_changes_nothing(client, community):
    response = client.post(url("community_join", community))

    assert response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_the_back_button_gets_the_whole_page_not_the_htmx_fragment(client):
    response = client.get(
        reverse("home"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]
