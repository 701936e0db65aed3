"""A newcomer signs up, verifies their email, signs in and fills in their profile."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.e2e.steps import sign_up_verify_and_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_sign_in_and_edit_the_profile(page, screenshot, mailoutbox):
    sign_up_verify_and_sign_in(
        page, email="Lucia.Mendez@example.org", password="a-long-journey-password-7"
    )
    assert len(mail.outbox) == 1

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
