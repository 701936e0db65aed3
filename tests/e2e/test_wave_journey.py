"""The Core Team invites a wave; an invitee signs up from the email and the funnel moves."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from communities.models import Membership
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_invite_a_wave_and_watch_the_funnel_move(browser, live_server, screenshot, mailoutbox):
    community = CommunityFactory(name="Urban Water Practitioners", slug="urban-water")
    manager = UserFactory(email="amina@example.org", display_name="Amina")
    MembershipFactory(community=community, user=manager, tier=Membership.Tier.CORE_TEAM)

    core = browser.new_context(base_url=live_server.url)
    page = core.new_page()
    sign_in(page, "amina@example.org", PASSWORD)
    page.goto("/urban-water/waves/")
    page.get_by_label("Name").fill("Spring cohort")
    page.get_by_label("Planned date").fill("2027-03-01")
    page.get_by_label("Welcome message").fill("Our first call is on 5 March.")
    page.get_by_role("button", name="Create the wave").click()

    page.get_by_label("Email addresses").fill(
        "lucia@example.org\nnot-an-address\nKofi Mensah <kofi@example.org>"
    )
    page.get_by_role("button", name="Add these addresses").click()
    report = page.get_by_test_id("add-report")
    expect(report).to_contain_text("2 invitees added.")
    expect(report).to_contain_text("not-an-address: not a valid email address")
    page.get_by_role("button", name="Send the unsent invitations").click()
    expect(page.get_by_text("2 invitations are on their way.")).to_be_visible()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "kofi@example.org",
        "lucia@example.org",
    ]

    # Lucía opens the link from her email, in her own browser.
    message = next(m for m in mail.outbox if m.to == ["lucia@example.org"])
    # The link starts with SITE_URL; the live server runs elsewhere, so keep the path.
    link = re.search(r"/invitations/\S+/", message.body).group(0)
    invitee = browser.new_context(base_url=live_server.url).new_page()
    invitee.goto(link)
    invitee.get_by_role("link", name="Create my account").click()
    expect(invitee.get_by_label("Email")).to_have_value("lucia@example.org")
    invitee.locator("#id_password1").fill("a-long-journey-password-7")
    invitee.get_by_label("Password (again)").fill("a-long-journey-password-7")
    invitee.get_by_role("button", name="Sign Up").click()
    invitee.get_by_role("button", name="Accept and join").click()
    expect(invitee.get_by_text("Welcome to Urban Water Practitioners!")).to_be_visible()
    expect(invitee.get_by_test_id("onboarding-checklist")).to_contain_text("Complete your profile")

    invitee.get_by_role("link", name="Open my profile").click()
    invitee.get_by_label("Display name").fill("Lucía Méndez")
    invitee.get_by_label("Organisation", exact=True).fill("Agua Andina")
    invitee.get_by_label("Country").select_option("PE")
    invitee.get_by_label("Expertise").fill("leak detection, tariffs")
    invitee.get_by_label("About me").fill("Engineer in Lima.")
    invitee.get_by_role("button", name="Save profile").click()
    expect(invitee.get_by_text("Your profile has been saved.")).to_be_visible()

    page.reload()
    funnel = page.get_by_test_id("funnel")
    expect(funnel.locator('[data-step="1"]')).to_have_text("2")  # invited
    expect(funnel.locator('[data-step="2"]')).to_have_text("1")  # accepted
    expect(funnel.locator('[data-step="3"]')).to_have_text("1")  # profile complete
    screenshot("wave-funnel", of=page)
    core.close()
