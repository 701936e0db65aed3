"""Sign up, verify, sign in, reset and change the password, change the email: through the client."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from notifications.models import Delivery
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-password-2"


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def sign_up(client, email="new.member@example.org", password=PASSWORD):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def test_sign_up_sends_one_verification_email_through_the_email_path(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.member@example.org"]
    assert mailoutbox[0].subject.startswith("[Copsite] ")
    delivery = Delivery.objects.get()
    assert delivery.kind == "email_confirmation_signup"
    assert delivery.status == Delivery.Status.SENT


def test_verification_is_mandatory_then_the_link_lets_the_member_sign_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": "new.member@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm_url = link_in(mailoutbox[-1])
    assert client.get(confirm_url).status_code == 200
    client.post(confirm_url)
    assert EmailAddress.objects.get(email="new.member@example.org").verified

    response = client.post(
        reverse("account_login"), {"login": "New.Member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_sign_up_with_a_taken_email_says_so_at_the_field(client):
    UserFactory(email="taken@example.org")

    response = sign_up(client, email="Taken@example.org")

    assert response.status_code == 200
    field = response.context["form"]["email"]
    assert "A user is already registered with this email address." in field.errors
    html = response.content.decode()
    assert 'id="id_email_error"' in html
    assert User.objects.count() == 1


def test_sign_up_with_a_weak_password_says_so_at_the_field_and_keeps_the_email(client):
    response = sign_up(client, password="12345678")

    assert response.status_code == 200
    assert response.context["form"]["password1"].errors
    assert 'value="new.member@example.org"' in response.content.decode()
    assert not User.objects.exists()


def test_a_wrong_password_gets_a_clear_message(client):
    UserFactory(email="someone@example.org")

    response = client.post(
        reverse("account_login"), {"login": "someone@example.org", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client):
    UserFactory(email="someone@example.org")
    credentials = {"login": "someone@example.org", "password": "wrong-password"}

    for _ in range(5):
        response = client.post(reverse("account_login"), credentials)
        assert "Too many failed login attempts" not in response.content.decode()

    # The sixth try is refused before the password is even checked, the right one included.
    response = client.post(
        reverse("account_login"), {"login": "someone@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="forgetful@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert len(mailoutbox) == 1

    reset_url = client.get(link_in(mailoutbox[0]))["Location"]
    response = client.post(reset_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_password_change_needs_the_old_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"]["oldpassword"].errors

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_email_change_is_verified_before_it_replaces_the_old_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="old@example.org")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    assert mailoutbox[-1].to == ["new@example.org"]
    user.refresh_from_db()
    assert user.email == "old@example.org"

    client.post(link_in(mailoutbox[-1]))
    user.refresh_from_db()
    assert user.email == "new@example.org"


def test_sign_ups_are_rate_limited_with_a_friendly_page(client):
    for number in range(20):
        sign_up(client, email=f"person{number}@example.org")
        client.logout()

    response = sign_up(client, email="one.too.many@example.org")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="one.too.many@example.org").exists()
