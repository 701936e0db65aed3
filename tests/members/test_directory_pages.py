"""The directory's pages: the capped count, both ways of finding a page, and the cards."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.services import user_refresh_search
from communities.models import Membership
from members.forms import MAX_TAG_LENGTH, MAX_TAGS
from members.pagination import CappedPaginator
from members.selectors import directory_cards, directory_search
from members.services import profile_update
from members.templatetags.member_tags import member_card
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMES = ["Gil Alpha", "Ada Alpha", "Fay Alpha", "Cy Alpha", "Eve Alpha", "Bo Alpha", "Di Alpha"]


@pytest.fixture
def alphas(community):
    for name in [*NAMES, "Zed Omega"]:
        person = UserFactory(display_name=name)
        MembershipFactory(community=community, user=person)
        user_refresh_search(user=person)  # what a profile save does
    return sorted(name.lower() for name in NAMES)


def page_names(community, *, number, cap, query="alpha", per_page=2):
    paginator = CappedPaginator(
        directory_search(community=community, query=query), per_page, rows=directory_cards(),
        cap=cap,
    )  # fmt: skip
    page = paginator.get_page(number)
    return page, [row["user__display_name"].lower() for row in page.object_list]


# cap=100: all seven matches are counted and sorted; cap=3: more than the cap, so the page
# is found by walking the name index. Both must give the same pages, in name order.
@pytest.mark.parametrize(("cap", "pages"), [(100, 4), (3, 2)])
def test_each_page_holds_the_next_names_in_order(community, alphas, cap, pages):
    for number in range(1, pages + 1):
        page, names = page_names(community, number=number, cap=cap)

        assert names == alphas[(number - 1) * 2 : number * 2]
        assert page.number == number
        assert page.has_next() is (number < pages)


def test_pages_stop_at_the_cap(community, alphas):
    page, names = page_names(community, number=4, cap=3)

    assert page.number == 2  # four counted, two a page
    assert names == alphas[2:4]


@pytest.mark.parametrize("cap", [100, 3])
def test_the_count_stops_past_the_cap(community, alphas, cap):
    page, _names = page_names(community, number=1, cap=cap)

    assert page.paginator.count == min(len(alphas), cap + 1)
    assert page.paginator.capped is (cap < len(alphas))


def test_a_page_past_the_end_shows_the_last_one(community, alphas):
    page, names = page_names(community, number=40, cap=100)

    assert page.number == 4
    assert names == alphas[6:]


def test_a_page_number_that_is_not_a_number_shows_the_first(community, alphas):
    page, names = page_names(community, number="<script>", cap=100)

    assert page.number == 1
    assert names == alphas[:2]


def test_no_match_is_an_empty_first_page(community, alphas):
    page, names = page_names(community, number=1, cap=100, query="nobody-by-that-name")

    assert names == []
    assert page.paginator.count == 0
    assert not page.has_other_pages()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
@pytest.mark.parametrize("cap", [100, 3])
def test_on_postgresql_a_page_and_its_count_are_one_statement(
    community, alphas, cap, django_assert_num_queries
):
    with django_assert_num_queries(1):
        page_names(community, number=2, cap=cap)


class TestCards:
    def render(self, community, user):
        row = directory_cards().get(community=community, user=user)
        return member_card(row, community)

    def test_everything_a_member_typed_is_escaped(self, community):
        person = UserFactory(display_name="&<b>Bold</b>", organisation='"Quotes" & Co')
        MembershipFactory(community=community, user=person, tier=Membership.Tier.CORE_GROUP)
        profile_update(
            user=person, languages=["fr"], expertise=["<i>pipes</i>"], interests=[],
            bio="", age_range="", show_email=True,
        )  # fmt: skip

        html = self.render(community, person)

        assert "<b>" not in html
        assert "<i>" not in html
        assert "&amp;&lt;b&gt;Bold&lt;/b&gt;" in html
        assert ">&amp;</div>" in html  # the initial in the avatar
        assert "&quot;Quotes&quot; &amp; Co" in html
        assert "&lt;i&gt;pipes&lt;/i&gt;" in html
        assert "Core Group" in html
        assert "French" in html
        assert f'href="mailto:{person.email}"' in html

    def test_a_hidden_email_and_a_plain_tier_are_not_shown(self, community):
        person = UserFactory(display_name="Quiet Person")
        MembershipFactory(community=community, user=person)

        html = self.render(community, person)

        assert person.email not in html
        assert "badge text-bg-primary" not in html

    def test_the_country_shows_by_name(self, community):
        person = UserFactory(display_name="Ana Souza", country="BR", organisation="SABESP")
        MembershipFactory(community=community, user=person)
        user_refresh_search(user=person)

        assert "SABESP · Brazil" in self.render(community, person)


def test_as_you_type_costs_four_queries(
    client, community, member, alphas, django_assert_num_queries
):
    """Session (cached), the user, the access check, and the page with its count: the
    directory's budget on every keystroke (SQLite needs two for the page)."""
    client.force_login(member)
    expected = 3 if connection.vendor == "postgresql" else 4

    with django_assert_num_queries(expected):
        response = client.get(
            reverse("members_directory", kwargs={"slug": community.slug}),
            {"q": "alpha"},
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200


def test_the_largest_profile_the_form_allows_still_saves_and_is_found(community):
    """Every tag at its longest: the search document copied onto the membership must fit
    every index on that table (a btree row holds at most 2,704 bytes on PostgreSQL)."""
    person = UserFactory(display_name="Maximilian " + "Longname" * 8, organisation="O" * 120)
    MembershipFactory(community=community, user=person)
    tags = [f"{index:02}" + "x" * (MAX_TAG_LENGTH - 2) for index in range(MAX_TAGS)]
    interests = [f"{index:02}" + "y" * (MAX_TAG_LENGTH - 2) for index in range(MAX_TAGS)]

    profile_update(
        user=person, languages=["en"], expertise=tags, interests=interests, bio="b" * 2000,
        age_range="", show_email=False,
    )  # fmt: skip

    assert [m.user for m in directory_search(community=community, query="19yyy")] == [person]


def test_a_huge_page_number_shows_the_last_page(client, community, member, alphas):
    client.force_login(member)

    response = client.get(
        reverse("members_directory", kwargs={"slug": community.slug}),
        {"page": "9" * 30},
    )

    assert response.status_code == 200
    assert response.context["page"].number == 1  # nine members: one page
