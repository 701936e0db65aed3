"""A community manager starts a community, fills the canvas, and sets up succession."""

import pytest
from playwright.sync_api import expect

from communities.models import Community, Membership, RoleAssignment
from tests.e2e.steps import sign_up_verify_and_sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_community_fill_the_canvas_and_back_up_the_leader(page, screenshot, mailoutbox):
    sign_up_verify_and_sign_in(
        page, email="amina@example.org", password="a-long-journey-password-7"
    )

    page.get_by_role("link", name="Start a community").first.click()
    page.get_by_label("Name").fill("Urban Water Practitioners")
    page.get_by_label("Short description").fill("Utilities sharing what works.")
    page.get_by_role("button", name="Create the community").click()

    # The canvas, edited in place (htmx swaps each section for its form and back).
    purpose = page.locator("#purpose")
    purpose.get_by_role("link", name="Edit Purpose").click()
    purpose.get_by_label("Text").fill("Cutting **non-revenue water** below 20%.")
    purpose.get_by_role("button", name="Save").click()
    expect(page.locator("#purpose strong")).to_have_text("non-revenue water")
    value = page.locator("#value_to_members")
    value.get_by_role("link", name="Edit Value to members").click()
    value.get_by_label("Text").fill("Peers who answer within a day.")
    value.get_by_role("button", name="Save").click()
    expect(page.locator("#value_to_members")).to_contain_text("Peers who answer within a day.")
    screenshot("canvas")

    community = Community.objects.get()
    assert community.purpose == "Cutting **non-revenue water** below 20%."
    leader = MembershipFactory(
        community=community, tier=Membership.Tier.CORE_TEAM, user=UserFactory(display_name="Rafael")
    ).user
    backup = MembershipFactory(community=community, user=UserFactory(display_name="Mei")).user

    page.get_by_role("link", name="Roles").click()
    expect(page.get_by_text("No one holds the Community Leader role.")).to_be_visible()
    page.get_by_label("Role").select_option(label="Community Leader")
    page.get_by_label("Held by (email)").fill(leader.email)
    page.get_by_role("button", name="Assign").click()
    warning = page.get_by_text("Community Leader (Rafael) has no backup.")
    expect(warning).to_be_visible()

    page.locator('tr[data-role="leader"]').get_by_role("link", name="Backup").click()
    page.get_by_label("Backup (email)").fill(backup.email)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Backup saved.")).to_be_visible()
    expect(warning).to_have_count(0)
    expect(page.locator('tr[data-role="leader"]')).to_contain_text("Mei")
    screenshot("roles")
    assignment = RoleAssignment.objects.get(role=RoleAssignment.Role.LEADER)
    assert (assignment.holder, assignment.backup) == (leader, backup)
