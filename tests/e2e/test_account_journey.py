"""A newcomer signs up, verifies their email, signs in and fills in their profile."""

import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_sign_in_and_edit_the_profile(page, live_server, screenshot, mailoutbox):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Email").fill("Lucia.Mendez@example.org")
    page.locator("#id_password1").fill("a-long-journey-password-7")
    page.get_by_label("Password (again)").fill("a-long-journey-password-7")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    # Sign in with the verified address.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("lucia.mendez@example.org")
    page.locator("#id_password").fill("a-long-journey-password-7")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name=re.compile("^Profile")).click()

    page.get_by_label("Display name").fill("Lucía Méndez")
    page.get_by_label("Organisation").fill("Agua Andina")
    page.get_by_label("Country").select_option("PE")
    page.get_by_label("Time zone").select_option("America/Lima")
    page.get_by_role("button", name="Save profile").click()

    page.get_by_text("Your profile has been saved.").wait_for()
    screenshot("profile-saved")
    user = User.objects.get()
    assert (user.email, user.display_name, user.time_zone) == (
        "lucia.mendez@example.org",
        "Lucía Méndez",
        "America/Lima",
    )
    assert page.get_by_label("Time zone").input_value() == "America/Lima"
    assert "(America/Lima)" in page.content()
