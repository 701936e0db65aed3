"""Profiles shared across communities, the directory and its CSV export."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.services import user_refresh_search
from communities.models import Membership
from members.models import Profile, ProfileLanguage
from members.selectors import directory_search
from members.services import profile_update
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE_POST = {
    "display_name": "Priya Raman",
    "organisation": "Chennai Metrowater",
    "country": "IN",
    "time_zone": "Asia/Kolkata",
    "preferred_language": "en",
    "member-languages": ["en", "ta"],
    "member-expertise": "Agriculture water reuse, drought planning, Drought Planning",
    "member-interests": "smart meters",
    "member-bio": "Engineer.",
    "member-age_range": "35_44",
    "member-show_email": "on",
}


def image_upload(image_format="PNG", size=(1200, 800), name="me.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def add_member(community, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(community=community, user=user)
    return user


class TestProfilePage:
    def test_members_details_are_saved_with_the_personal_settings(
        self, client, user, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(user)

        response = client.post(
            reverse("accounts:profile"), {**PROFILE_POST, "member-photo": image_upload()}
        )

        assert response.status_code == 302
        profile = Profile.objects.get(user=user)
        assert profile.expertise == ["Agriculture water reuse", "drought planning"]
        assert profile.interests == ["smart meters"]
        assert (profile.age_range, profile.show_email) == ("35_44", True)
        assert sorted(ProfileLanguage.objects.values_list("code", flat=True)) == ["en", "ta"]
        with Image.open(profile.photo.path) as photo:
            assert photo.format == "JPEG"
            assert max(photo.size) == 512

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            (
                SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
                "Upload a valid image",
            ),
            (image_upload("GIF", name="x.gif"), "Upload a JPEG, PNG or WebP image."),
        ],
    )
    def test_a_bad_photo_is_refused_at_the_field_and_nothing_is_saved(
        self, client, user, upload, message
    ):
        client.force_login(user)

        response = client.post(
            reverse("accounts:profile"), {**PROFILE_POST, "member-photo": upload}
        )

        assert response.status_code == 200
        section_form = response.context["sections"][0][1]
        assert any(message in error for error in section_form["photo"].errors)
        user.refresh_from_db()
        assert user.display_name != "Priya Raman"
        assert not Profile.objects.filter(user=user).exists()

    def test_a_photo_over_5_mb_is_refused(self, client, user, monkeypatch):
        monkeypatch.setattr("members.forms.MAX_PHOTO_BYTES", 100)
        client.force_login(user)

        response = client.post(
            reverse("accounts:profile"), {**PROFILE_POST, "member-photo": image_upload()}
        )

        assert response.context["sections"][0][1]["photo"].errors == [
            "The photo is larger than 5 MB."
        ]

    def test_too_many_tags_are_refused(self, client, user):
        client.force_login(user)
        tags = ", ".join(f"tag {number}" for number in range(21))

        response = client.post(
            reverse("accounts:profile"), {**PROFILE_POST, "member-expertise": tags}
        )

        assert response.context["sections"][0][1]["expertise"].errors == ["Up to 20 tags, please."]


class TestDirectory:
    @pytest.fixture
    def people(self, community):
        agronomist = add_member(
            community, display_name="Ana Souza", organisation="SABESP", country="BR"
        )
        profile_update(
            user=agronomist, languages=["pt"], expertise=["Agriculture", "irrigation"],
            interests=[], bio="", age_range="", show_email=False,
        )  # fmt: skip
        engineer = add_member(
            community, display_name="Kofi Mensah", organisation="Ghana Water", country="GH"
        )
        profile_update(
            user=engineer, languages=["en"], expertise=["leak detection"],
            interests=["agritech"], bio="", age_range="", show_email=True,
        )  # fmt: skip
        outsider = UserFactory(display_name="Agnes Outside")
        for person in (agronomist, engineer, outsider):
            user_refresh_search(user=person)
        return {"agronomist": agronomist, "engineer": engineer, "outsider": outsider}

    def names(self, community, **filters) -> list[str]:
        return [m.user.display_name for m in directory_search(community=community, **filters)]

    def test_word_prefixes_match_across_fields(self, community, people):
        assert self.names(community, query="agri") == ["Ana Souza", "Kofi Mensah"]
        assert self.names(community, query="agri sabe") == ["Ana Souza"]
        assert self.names(community, query="ghana") == ["Kofi Mensah"]
        assert self.names(community, query="LEAK det") == ["Kofi Mensah"]
        assert self.names(community, query="brazil") == ["Ana Souza"]
        assert self.names(community, query="nothing-like-this") == []

    def test_filters(self, community, people):
        Membership.objects.filter(user=people["engineer"]).update(tier=Membership.Tier.CORE_GROUP)

        assert self.names(community, country="BR") == ["Ana Souza"]
        assert self.names(community, language="en") == ["Kofi Mensah"]
        assert self.names(community, tier="core_group") == ["Kofi Mensah"]
        assert self.names(community, query="agri", language="pt") == ["Ana Souza"]

    def test_only_active_members_of_this_community(self, community, people):
        Membership.objects.filter(user=people["agronomist"]).update(status=Membership.Status.LEFT)

        assert self.names(community, query="a") == ["Kofi Mensah"]

    def test_the_page_respects_privacy(self, client, community, people, member):
        client.force_login(member)

        html = client.get(
            reverse("members_directory", kwargs={"slug": community.slug})
        ).content.decode()

        assert people["engineer"].email in html  # chose to show it
        assert people["agronomist"].email not in html
        assert "Agnes Outside" not in html

    def test_htmx_filters_as_you_type(self, client, community, people, member):
        client.force_login(member)

        response = client.get(
            reverse("members_directory", kwargs={"slug": community.slug}),
            {"q": "leak"},
            headers={"HX-Request": "true"},
        )

        html = response.content.decode()
        assert "<html" not in html
        assert "Kofi Mensah" in html
        assert "Ana Souza" not in html

    @pytest.mark.parametrize("count", [10, 100])
    def test_query_budget(self, client, community, member, django_assert_max_num_queries, count):
        for number in range(count):
            person = add_member(community, display_name=f"Person {number:03}")
            profile_update(
                user=person, languages=["en", "fr"], expertise=["water"], interests=[],
                bio="", age_range="", show_email=False,
            )  # fmt: skip
        client.force_login(member)

        with django_assert_max_num_queries(9):
            response = client.get(
                reverse("members_directory", kwargs={"slug": community.slug}), {"q": "person"}
            )

        assert response.context["page"].paginator.count == count


class TestExport:
    def test_the_csv_leaves_out_what_members_hide(self, client, community):
        manager = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM).user
        hidden = add_member(community, display_name="Hidden Email")
        shown = add_member(community, display_name="Shown Email")
        for person, show in ((hidden, False), (shown, True)):
            profile_update(
                user=person, languages=[], expertise=["water"], interests=[],
                bio="", age_range="45_54", show_email=show,
            )  # fmt: skip
        client.force_login(manager)

        response = client.get(reverse("members_directory_export", kwargs={"slug": community.slug}))

        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        by_name = {row[0]: row for row in rows[1:]}
        assert by_name["Hidden Email"][1] == ""
        assert by_name["Shown Email"][1] == shown.email
        # Age ranges never leave the aggregate: neither the code nor its label is exported.
        assert "45_54" not in str(rows)
        assert "45 to 54" not in str(rows)
        assert response["Content-Disposition"].startswith(
            'attachment; filename="urban-water-members-'
        )

    @pytest.mark.parametrize("count", [10, 100])
    def test_query_budget(self, client, community, django_assert_max_num_queries, count):
        manager = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM).user
        for _ in range(count):
            add_member(community)
        client.force_login(manager)

        with django_assert_max_num_queries(10):
            response = client.get(
                reverse("members_directory_export", kwargs={"slug": community.slug})
            )
            body = b"".join(response.streaming_content)

        assert body.count(b"\n") == count + 2  # header, the manager, the members


def test_a_photo_is_served_only_for_this_communitys_members(
    client, community, other_community, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    member = add_member(community)
    outsider = add_member(other_community)
    for person in (member, outsider):
        profile_update(
            user=person, languages=[], expertise=[], interests=[], bio="",
            age_range="", show_email=False, photo=image_upload(),
        )  # fmt: skip
    client.force_login(member)

    own = client.get(
        reverse("members_photo", kwargs={"slug": community.slug, "user_id": member.pk})
    )
    other = client.get(
        reverse("members_photo", kwargs={"slug": community.slug, "user_id": outsider.pk})
    )

    assert own.status_code == 200
    assert own["Content-Type"] == "image/jpeg"
    assert other.status_code == 404


def test_long_result_lists_say_more_than_the_cap(client, community, member, monkeypatch):
    for number in range(5):
        add_member(community, display_name=f"Capped {number}")
    client.force_login(member)
    from members import pagination  # noqa: PLC0415

    original = pagination.CappedPaginator.__init__

    def small_cap(self, object_list, per_page, **kwargs):
        original(self, object_list, per_page, **{**kwargs, "cap": 3})

    monkeypatch.setattr(pagination.CappedPaginator, "__init__", small_cap)

    response = client.get(reverse("members_directory", kwargs={"slug": community.slug}))

    assert response.context["page"].paginator.capped
    assert "More than 3 members: add a word or a filter" in response.content.decode()


def test_the_country_filter_keeps_its_choice(client, community, member):
    client.force_login(member)

    html = client.get(
        reverse("members_directory", kwargs={"slug": community.slug}), {"country": "PE"}
    ).content.decode()

    assert '<option value="PE" selected>Peru</option>' in html
    assert '<option value="CL">Chile</option>' in html


def test_the_csv_does_not_let_a_spreadsheet_run_what_members_typed(client, community):
    manager = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM).user
    add_member(community, display_name='=HYPERLINK("http://evil.example","click")')
    client.force_login(manager)

    response = client.get(reverse("members_directory_export", kwargs={"slug": community.slug}))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert '\'=HYPERLINK("http://evil.example","click")' in [row[0] for row in rows]


def test_a_hidden_email_cannot_be_found_by_guessing_it(community):
    shy = add_member(community, display_name="Jo Smith", email="j.smith.private@example.org")
    profile_update(
        user=shy, languages=[], expertise=[], interests=[], bio="", age_range="",
        show_email=False,
    )  # fmt: skip

    assert [m.user for m in directory_search(community=community, query="smith")] == [shy]
    assert list(directory_search(community=community, query="private")) == []


def test_without_a_display_name_no_part_of_the_email_is_shown(community):
    nameless = UserFactory(display_name="", email="secret.handle@example.org")

    assert "secret" not in nameless.name
    assert nameless.name == f"Member {nameless.pk}"
