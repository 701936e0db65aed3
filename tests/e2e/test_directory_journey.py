"""A member finds peers in the directory as they type, and pages through a long list."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import user_refresh_search
from members.services import profile_update
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_peers_as_you_type(page, screenshot):
    community = CommunityFactory(name="Urban Water Practitioners", slug="urban-water")
    reader = UserFactory(email="jonas@example.org", display_name="Jonas Weber")
    MembershipFactory(community=community, user=reader)
    people = [
        ("Ana Souza", "SABESP", "BR", ["agriculture water reuse"], True),
        ("Kofi Mensah", "Ghana Water", "GH", ["leak detection"], False),
        *((f"Pat Member {n:02}", "Lima Water", "PE", ["tariffs"], False) for n in range(30)),
    ]
    for name, organisation, country, expertise, show_email in people:
        person = UserFactory(display_name=name, organisation=organisation, country=country)
        MembershipFactory(community=community, user=person)
        profile_update(
            user=person, languages=["en"], expertise=expertise, interests=[], bio="",
            age_range="", show_email=show_email,
        )  # fmt: skip
    for person in (reader, *[m.user for m in community.memberships.select_related("user")]):
        user_refresh_search(user=person)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("jonas@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Sign out").wait_for()
    page.goto("/urban-water/directory/")

    results = page.locator("#directory-results")
    expect(results).to_contain_text("33 members")
    expect(results).to_contain_text("Page 1 of 2")
    page.get_by_role("link", name="Next").click()
    expect(results).to_contain_text("Page 2 of 2")

    # Typing filters without a reload: "agri" finds "agriculture", by word prefix.
    page.get_by_label("Search").fill("agri")
    expect(results).to_contain_text("1 member")
    expect(results).to_contain_text("Ana Souza")
    expect(results).to_contain_text("SABESP · Brazil")
    expect(results).not_to_contain_text("Kofi Mensah")
    expect(page).to_have_url(re.compile(r"/urban-water/directory/\?q=agri&"))  # shareable
    screenshot("agri")

    page.get_by_label("Search").fill("")
    page.get_by_label("Country").select_option("GH")
    expect(results).to_contain_text("Kofi Mensah")
    expect(results).not_to_contain_text("Ana Souza")
    expect(results.locator('a[href^="mailto:"]')).to_have_count(0)  # his email stays hidden
    expect(page.locator("#directory-results")).to_have_count(1)  # replaced, not nested
    screenshot("country")

    # The community list filters the same way: its results are replaced, not nested.
    page.goto("/")
    page.locator("#id_q").fill("urban")
    expect(page.locator("#community-list")).to_contain_text("Urban Water Practitioners")
    page.locator("#id_q").fill("nothing like it")
    expect(page.locator("#community-list")).not_to_contain_text("Urban Water Practitioners")
    expect(page.locator("#community-list")).to_have_count(1)
