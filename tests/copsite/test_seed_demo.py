from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from communities.models import Community, Membership, RoleAssignment

pytestmark = pytest.mark.django_db


def seed() -> str:
    output = StringIO()
    # Tests run with DEBUG off, as production does: hence --force.
    call_command("seed_demo", "--force", stdout=output)
    return output.getvalue()


def test_seed_demo_refuses_to_run_in_production_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()


def test_seed_demo_is_idempotent_and_prints_a_login(client):
    first = seed()
    counts = (
        User.objects.count(),
        Community.objects.count(),
        Membership.objects.count(),
        RoleAssignment.objects.count(),
    )
    seed()

    assert counts == (
        User.objects.count(),
        Community.objects.count(),
        Membership.objects.count(),
        RoleAssignment.objects.count(),
    )
    assert counts[1] >= 2
    assert "manager@demo.copsite.org" in first
    assert "Password for every demo account: copsite-demo" in first
    # The printed login works.
    response = client.post(
        "/accounts/login/", {"login": "manager@demo.copsite.org", "password": "copsite-demo"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
