"""Steps several journeys share."""

import re

from django.core import mail


def sign_up_verify_and_sign_in(page, *, email: str, password: str) -> None:
    """Signs up, opens the verification link from the email, confirms, and signs in."""
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    message = next(m for m in reversed(mail.outbox) if m.to == [email.lower()])
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email.lower())
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Sign out").wait_for()
