"""The profile page, the viewer's time zone and language."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import user_update_profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "display_name": "Amina Diallo",
    "organisation": "Urban Water Alliance",
    "country": "SN",
    "time_zone": "Africa/Dakar",
    "preferred_language": "fr",
}


def test_the_profile_saves_personal_settings(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), VALID, follow=True)

    user.refresh_from_db()
    assert (user.display_name, user.organisation, user.country.code) == (
        "Amina Diallo",
        "Urban Water Alliance",
        "SN",
    )
    assert (user.time_zone, user.preferred_language) == ("Africa/Dakar", "fr")
    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]


def test_an_invalid_time_zone_is_refused_at_the_field_and_nothing_is_lost(client):
    user = UserFactory(display_name="Before", time_zone="Europe/Paris")
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), {**VALID, "time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    errors = response.context["form"]["time_zone"].errors
    assert errors == ["“Mars/Olympus_Mons” is not a time zone. Choose one from the list."]
    html = response.content.decode()
    assert 'id="id_time_zone_error"' in html
    # What the member typed elsewhere is still in the form...
    assert 'value="Urban Water Alliance"' in html
    # ...and nothing was saved, nor shown as if it had been.
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Before", "Europe/Paris")
    assert 'Profile <span class="visually-hidden">(Before)</span>' in html


def test_posting_fields_the_form_does_not_offer_changes_nothing(client, user):
    client.force_login(user)

    client.post(
        reverse("accounts:profile"),
        {**VALID, "is_staff": "on", "is_superuser": "on", "email": "evil@example.org"},
    )

    user.refresh_from_db()
    assert not user.is_staff
    assert not user.is_superuser
    assert user.email != "evil@example.org"


def test_the_service_validates_like_the_form(user):
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    with pytest.raises(ValidationError) as error:
        user_update_profile(user=user, **{**VALID, "time_zone": "Nowhere/Else"})
    assert "time_zone" in error.value.message_dict
    assert User.objects.get(pk=user.pk).time_zone == "UTC"


def test_times_are_shown_in_the_viewers_time_zone(client):
    joined = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    user = UserFactory(time_zone="Asia/Tokyo", date_joined=joined)
    client.force_login(user)

    html = client.get(reverse("accounts:profile")).content.decode()

    # 23:30 UTC on 1 March is 08:30 on 2 March in Tokyo.
    assert '<span data-testid="joined">March 2, 2026, 8:30 a.m.</span>' in html


def test_a_visitors_browser_time_zone_is_used_when_valid(client):
    from django.utils import timezone  # noqa: PLC0415

    seen = {}

    def record(request):
        seen["zone"] = timezone.get_current_timezone_name()

    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415
    from django.test import RequestFactory  # noqa: PLC0415

    from accounts.middleware import ViewerPreferencesMiddleware  # noqa: PLC0415

    middleware = ViewerPreferencesMiddleware(record)
    for cookie, expected in [("America/Lima", "America/Lima"), ("../../etc/passwd", "UTC")]:
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        request.COOKIES["tz"] = cookie
        middleware(request)
        assert seen["zone"] == expected


def test_the_interface_speaks_the_members_language(client):
    client.force_login(UserFactory(preferred_language="fr"))

    response = client.get(reverse("account_email"))

    assert response["Content-Language"] == "fr"
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "E-mail actuel" in html


def test_a_visitor_can_pick_a_language(client):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})

    response = client.get(reverse("account_login"))

    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()


def test_the_profile_page_needs_a_sign_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
