"""Onboarding waves and invitations: lists in, emails out, links accepted once."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from members import waves
from members.invitations import parse_csv, parse_pasted
from members.models import ChecklistTick, Invitation, Wave
from members.selectors import wave_funnel
from members.services import profile_update
from tests.factories import (
    PASSWORD,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
    WaveFactory,
)

pytestmark = pytest.mark.django_db


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("invitees.csv", text.encode(), content_type="text/csv")


def link_token(message) -> str:
    return re.search(r"/invitations/([^/\s]+)/", message.body).group(1)


@pytest.fixture
def wave(community):
    return waves.wave_create(
        community=community,
        name="Spring cohort",
        planned_date=dt.date(2027, 3, 1),
        welcome_message="Our first call is on 5 March.",
        extra_checklist=["Share one practice", ""],
    )


@pytest.fixture
def manager(client, community):
    membership = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
    client.force_login(membership.user)
    return membership.user


class TestReadingLists:
    def test_pasted_addresses_with_problems_listed(self):
        parsed = parse_pasted("ana@example.org, Kofi Mensah <KOFI@example.org>; not-an-email\n\n")

        assert [(i.email, i.name) for i in parsed.invitees] == [
            ("ana@example.org", ""),
            ("kofi@example.org", "Kofi Mensah"),
        ]
        assert parsed.problems == [("not-an-email", "not a valid email address")]

    def test_a_csv_reports_bad_rows_by_line_and_keeps_the_good_ones(self):
        parsed = parse_csv(
            csv_file(
                "email,name,organisation,internal\n"
                "ana@example.org,Ana Souza,SABESP,external\n"
                "broken,Someone,,internal\n"
                "kofi@example.org,Kofi,GWC,sometimes\n"
                "mei@example.org,Mei Lin,Delta,internal\n"
            )
        )

        assert [(i.email, i.is_internal) for i in parsed.invitees] == [
            ("ana@example.org", False),
            ("mei@example.org", True),
        ]
        assert parsed.problems == [
            ("line 3: broken", "not a valid email address"),
            ("line 4: kofi@example.org", "“internal” must be internal or external"),
        ]

    def test_a_csv_without_an_email_column_says_so(self):
        parsed = parse_csv(csv_file("name,organisation\nAna,SABESP\n"))

        assert parsed.invitees == []
        assert "no “email” column" in parsed.problems[0][1]


class TestAddingInvitees:
    def test_members_and_repeats_are_skipped_and_reported(self, community, wave):
        member = MembershipFactory(community=community).user
        InvitationFactory(community=community, wave=wave, email="already@example.org")

        report = waves.invitations_add(
            wave=wave,
            invitees=parse_pasted(
                f"{member.email}, already@example.org, new@example.org, NEW@example.org"
            ).invitees,
        )

        assert report.added == ["new@example.org"]
        assert report.already_members == [member.email]
        assert report.duplicates == ["already@example.org", "new@example.org"]
        assert wave.invitations.count() == 2

    def test_the_page_shows_what_went_in_and_why_the_rest_did_not(
        self, client, community, wave, manager
    ):
        response = client.post(
            reverse("members_wave_add", kwargs={"slug": community.slug, "pk": wave.pk}),
            {"source": "paste", "addresses": "ana@example.org\nnope\nkofi@example.org"},
        )

        html = response.content.decode()
        assert "2 invitees added." in html
        assert "nope: not a valid email address" in html
        assert wave.invitations.count() == 2

    def test_a_csv_upload_through_the_page(self, client, community, wave, manager):
        response = client.post(
            reverse("members_wave_add", kwargs={"slug": community.slug, "pk": wave.pk}),
            {"source": "csv", "file": csv_file("email,internal\nana@example.org,internal\nbad,\n")},
        )

        assert "line 3: bad: not a valid email address" in response.content.decode()
        assert list(wave.invitations.values_list("email", "is_internal")) == [
            ("ana@example.org", True)
        ]

    def test_pending_requests_of_another_community_are_refused(
        self, client, community, other_community, wave, manager
    ):
        foreign = MembershipFactory(community=other_community, status=Membership.Status.REQUESTED)
        own = MembershipFactory(community=community, status=Membership.Status.REQUESTED)

        response = client.post(
            reverse("members_wave_add", kwargs={"slug": community.slug, "pk": wave.pk}),
            {"source": "requests", "requests": [str(foreign.pk), str(own.pk)]},
        )

        assert response.context["requests_form"]["requests"].errors
        assert not wave.invitations.exists()


class TestSending:
    def test_a_wave_goes_out_in_batches_after_the_request(
        self,
        client,
        community,
        wave,
        manager,
        mailoutbox,
        django_capture_on_commit_callbacks,
        monkeypatch,
    ):
        monkeypatch.setattr(waves, "BATCH_SIZE", 2)
        waves.invitations_add(
            wave=wave, invitees=parse_pasted("a@example.org, b@example.org, c@example.org").invitees
        )

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(
                reverse("members_wave_send", kwargs={"slug": community.slug, "pk": wave.pk})
            )
        # The request only queued two batches; nothing was sent yet.
        assert len(callbacks) == 2
        assert mailoutbox == []
        wave.refresh_from_db()
        assert wave.status == Wave.Status.SENDING
        page = client.get(
            reverse("members_wave_progress", kwargs={"slug": community.slug, "pk": wave.pk})
        )
        assert "0 of 3 sent" in page.content.decode()
        assert 'hx-trigger="every 2s"' in page.content.decode()

        with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
            for callback in callbacks:
                callback()

        wave.refresh_from_db()
        assert wave.status == Wave.Status.SENT
        assert sorted(m.to[0] for m in mailoutbox) == [
            "a@example.org",
            "b@example.org",
            "c@example.org",
        ]
        assert "Our first call is on 5 March." in mailoutbox[0].body
        assert set(wave.invitations.values_list("status", flat=True)) == {Invitation.Status.SENT}

    def test_a_wave_with_nothing_to_send_says_so(self, client, community, wave, manager):
        response = client.post(
            reverse("members_wave_send", kwargs={"slug": community.slug, "pk": wave.pk}),
            follow=True,
        )

        assert "There is no unsent invitation in this wave." in response.content.decode()


class TestInvitationLinks:
    @pytest.fixture
    def sent(self, community, wave, mailoutbox, django_capture_on_commit_callbacks):
        invitation = InvitationFactory(
            community=community,
            wave=wave,
            email="lucia@example.org",
            status=Invitation.Status.PENDING,
        )
        with django_capture_on_commit_callbacks(execute=True):
            waves.invitation_send(invitation=invitation)
        return invitation, link_token(mailoutbox[-1])

    def test_accepted_once_then_refused(self, client, community, sent):
        _invitation, token = sent
        user = UserFactory(email="lucia@example.org")
        client.force_login(user)
        url = reverse("members_invitation", kwargs={"token": token})

        first = client.post(url)
        second = client.post(url)

        assert first["Location"] == reverse("community_home", kwargs={"slug": community.slug})
        assert (
            Membership.objects.get(user=user).acquisition_source
            == Membership.Source.DIRECT_INVITATION
        )
        assert second.status_code == 410
        assert "already been used" in second.content.decode()

    def test_an_expired_link_is_refused(self, client, sent):
        invitation, token = sent
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
        client.force_login(UserFactory(email="lucia@example.org"))

        response = client.post(reverse("members_invitation", kwargs={"token": token}))

        assert response.status_code == 410
        assert "This invitation has expired." in response.content.decode()
        assert not Membership.objects.exists()

    def test_a_revoked_or_replaced_link_is_refused(
        self, client, sent, mailoutbox, django_capture_on_commit_callbacks
    ):
        invitation, old_token = sent
        with django_capture_on_commit_callbacks(execute=True):
            waves.invitation_send(invitation=invitation)  # resend: a new link
        new_token = link_token(mailoutbox[-1])

        old = client.get(reverse("members_invitation", kwargs={"token": old_token}))
        assert old.status_code == 404
        assert (
            client.get(reverse("members_invitation", kwargs={"token": new_token})).status_code
            == 200
        )

        waves.invitation_revoke(invitation=invitation)
        assert (
            client.get(reverse("members_invitation", kwargs={"token": new_token})).status_code
            == 404
        )

    def test_another_signed_in_address_is_told_clearly(self, client, sent):
        _invitation, token = sent
        client.force_login(UserFactory(email="someone.else@example.org"))

        response = client.post(reverse("members_invitation", kwargs={"token": token}))

        assert response.status_code == 403
        assert (
            "This invitation is for lucia@example.org, but you are signed in as "
            "someone.else@example.org." in response.content.decode()
        )
        assert not Membership.objects.exists()

    def test_a_newcomer_signs_up_without_a_verification_email_and_lands_in_the_community(
        self, client, community, wave, sent, mailoutbox
    ):
        _invitation, token = sent
        url = reverse("members_invitation", kwargs={"token": token})
        page = client.get(url).content.decode()
        assert "Create my account" in page
        emails_before = len(mail.outbox)

        signed_up = client.post(
            f"{reverse('account_signup')}?next={url}",
            {
                "email": "lucia@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": url,
            },
        )
        assert signed_up["Location"] == url  # signed in at once: the link proved the address
        assert len(mail.outbox) == emails_before
        accepted = client.post(url)

        assert accepted["Location"] == reverse("community_home", kwargs={"slug": community.slug})
        funnel = dict(wave_funnel(wave=wave))
        assert (funnel["Invited"], funnel["Accepted"]) == (1, 1)


class TestOnboarding:
    def test_the_funnel_and_the_checklist_follow_the_data(self, client, community, wave):
        user = UserFactory(organisation="SABESP", country="BR", display_name="Ana")
        membership = MembershipFactory(community=community, user=user)
        InvitationFactory(
            community=community, wave=wave, email=user.email,
            status=Invitation.Status.ACCEPTED, membership=membership,
        )  # fmt: skip
        InvitationFactory(community=community, wave=wave, status=Invitation.Status.SENT)
        assert [count for _label, count in wave_funnel(wave=wave)] == [2, 1, 0, 0, 0]

        profile_update(
            user=user, languages=[], expertise=["water"], interests=[], bio="Engineer",
            age_range="", show_email=False,
        )  # fmt: skip
        Membership.objects.filter(pk=membership.pk).update(
            first_participated_at=timezone.now(), last_participated_at=timezone.now()
        )
        assert [count for _label, count in wave_funnel(wave=wave)] == [2, 1, 1, 1, 1]

        client.force_login(user)
        client.post(
            reverse("members_checklist_tick", kwargs={"slug": community.slug, "key": "introduce"})
        )
        home = client.get(
            reverse("community_home", kwargs={"slug": community.slug})
        ).content.decode()
        assert "3 of 5 done" in home  # profile, introduction, first event
        assert ChecklistTick.objects.filter(membership=membership, key="introduce").exists()
        # Computed items cannot be ticked by hand.
        response = client.post(
            reverse("members_checklist_tick", kwargs={"slug": community.slug, "key": "profile"})
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("count", [10, 100])
    def test_wave_page_query_budget(
        self, client, community, wave, manager, django_assert_max_num_queries, count
    ):
        for number in range(count):
            membership = MembershipFactory(community=community)
            InvitationFactory(
                community=community, wave=wave, email=f"w{number}@example.org",
                status=Invitation.Status.ACCEPTED, membership=membership,
            )  # fmt: skip
        MembershipFactory.create_batch(3, community=community, status=Membership.Status.REQUESTED)

        with django_assert_max_num_queries(16):
            response = client.get(
                reverse("members_wave", kwargs={"slug": community.slug, "pk": wave.pk})
            )

        assert len(response.context["progress"]) == count


def test_another_communitys_invitation_answers_404(client, community, other_community, manager):
    foreign = InvitationFactory(
        wave=WaveFactory(community=other_community), community=other_community
    )

    response = client.post(
        reverse("members_invitation_revoke", kwargs={"slug": community.slug, "pk": foreign.pk})
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Invitation.Status.SENT


class TestReviewFindings:
    def test_accepting_fills_an_empty_organisation_from_the_csv_row(
        self, client, community, wave, mailoutbox, django_capture_on_commit_callbacks
    ):
        invitation = InvitationFactory(
            community=community, wave=wave, email="new@example.org",
            organisation="Aguas Andinas", status=Invitation.Status.PENDING,
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            waves.invitation_send(invitation=invitation)
        user = UserFactory(email="new@example.org", organisation="")
        client.force_login(user)

        response = client.post(
            reverse("members_invitation", kwargs={"token": link_token(mailoutbox[-1])})
        )

        assert response.status_code == 302
        user.refresh_from_db()
        assert user.organisation == "Aguas Andinas"
        membership = Membership.objects.get(user=user)
        assert membership.wave_id == wave.pk  # the membership records its wave
        assert "aguas andinas" in membership.user.search_text

    def test_a_removed_member_cannot_come_back_through_an_old_link(
        self, client, community, wave, mailoutbox, django_capture_on_commit_callbacks
    ):
        MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
        user = UserFactory(email="gone@example.org")
        invitation = InvitationFactory(
            community=community, wave=wave, email="gone@example.org",
            status=Invitation.Status.PENDING,
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            waves.invitation_send(invitation=invitation)
        token = link_token(mailoutbox[-1])
        membership = MembershipFactory(community=community, user=user)  # joined another way

        from communities.services import membership_remove  # noqa: PLC0415

        membership_remove(membership=membership)
        client.force_login(user)
        response = client.post(reverse("members_invitation", kwargs={"token": token}))

        assert response.status_code == 404
        membership.refresh_from_db()
        assert membership.status == Membership.Status.REMOVED

    def test_a_second_resend_from_a_stale_page_still_leaves_a_working_link(
        self, client, community, wave, mailoutbox, django_capture_on_commit_callbacks
    ):
        invitation = InvitationFactory(
            community=community, wave=wave, email="a@example.org", status=Invitation.Status.PENDING
        )
        stale = Invitation.objects.get(pk=invitation.pk)
        with django_capture_on_commit_callbacks(execute=True):
            waves.invitation_send(invitation=invitation)
            waves.invitation_send(invitation=stale)  # a copy loaded before the first send

        tokens = [link_token(message) for message in mailoutbox]
        assert len(set(tokens)) == 2
        client.force_login(UserFactory(email="a@example.org"))
        assert (
            client.get(reverse("members_invitation", kwargs={"token": tokens[-1]})).status_code
            == 200
        )

    def test_a_revoked_invitation_in_a_batch_is_not_sent(self, community, wave, mailoutbox):
        invitation = InvitationFactory(
            community=community, wave=wave, email="a@example.org", status=Invitation.Status.PENDING
        )
        waves.invitation_revoke(invitation=invitation)

        assert waves.invitation_batch_send(wave_id=wave.pk, invitation_ids=[invitation.pk]) == 0
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.REVOKED

    def test_someone_who_left_can_be_invited_again(self, community, wave):
        user = UserFactory(email="back@example.org")
        membership = MembershipFactory(
            community=community, user=user, status=Membership.Status.LEFT
        )
        InvitationFactory(
            community=community, wave=wave, email="back@example.org",
            status=Invitation.Status.ACCEPTED, membership=membership,
        )  # fmt: skip

        report = waves.invitations_add(
            wave=wave, invitees=parse_pasted("back@example.org").invitees
        )

        assert report.added == ["back@example.org"]

    def test_a_csv_with_too_many_fields_or_a_huge_field_is_reported_not_a_crash(self):
        parsed = parse_csv(
            csv_file(
                "email,name,organisation\n"
                "ana@example.org,Ana,Ministry of Water, Peru\n"
                "kofi@example.org,Kofi,GWC\n"
            )
        )
        assert [i.email for i in parsed.invitees] == ["kofi@example.org"]
        assert parsed.problems[0][0] == "line 2"
        assert "quote values that contain commas" in parsed.problems[0][1]

        huge = parse_csv(
            csv_file("email,name\nmei@example.org,Mei\nx@example.org," + "a" * 200_000 + "\n")
        )
        assert [i.email for i in huge.invitees] == ["mei@example.org"]
        assert huge.problems[0][0] == "line 3"
        assert huge.problems[0][1].startswith("not readable: field larger than field limit")

    def test_a_long_pasted_name_is_cut_not_a_crash(self, wave):
        parsed = parse_pasted(f"{'N' * 300} <long@example.org>")

        report = waves.invitations_add(wave=wave, invitees=parsed.invitees)

        assert report.added == ["long@example.org"]
        assert len(Invitation.objects.get(email="long@example.org").name) == 120

    def test_declining_a_request_invited_with_a_wave_revokes_the_invitation(self, community, wave):
        from communities.services import membership_decline  # noqa: PLC0415

        request = MembershipFactory(community=community, status=Membership.Status.REQUESTED)
        waves.invitations_from_requests(wave=wave, memberships=[request])

        membership_decline(membership=request)

        assert set(wave.invitations.values_list("status", flat=True)) == {Invitation.Status.REVOKED}


@pytest.mark.parametrize("count", [10, 100])
def test_wave_list_query_budget(client, community, manager, django_assert_max_num_queries, count):
    for number in range(count):
        wave = WaveFactory(community=community, name=f"Wave {number}")
        InvitationFactory(community=community, wave=wave)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("members_waves", kwargs={"slug": community.slug}))

    assert len(response.context["waves"]) == count
