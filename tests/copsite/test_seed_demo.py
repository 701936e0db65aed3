from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from communities.models import Community, Membership, RoleAssignment
from members.models import Invitation, NeedsAnswer, Wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The demo writes its uploaded files here, not into the working tree's media folder."""
    settings.MEDIA_ROOT = tmp_path


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

    def counts():
        return tuple(
            model.objects.count()
            for model in (
                User,
                Community,
                Membership,
                RoleAssignment,
                Wave,
                Invitation,
                NeedsAnswer,
            )
        )

    first_counts = counts()
    seed()

    assert counts() == first_counts
    assert first_counts[4:] == (3, 224, 184)  # waves, invitations, survey answers
    assert Membership.objects.filter(community__slug="urban-water").count() >= 200
    assert first_counts[1] == 3
    assert "manager@demo.copsite.org" in first
    assert "Password for every demo account: copsite-demo" in first
    # The printed login works.
    response = client.post(
        "/accounts/login/", {"login": "manager@demo.copsite.org", "password": "copsite-demo"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
