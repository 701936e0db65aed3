"""Two Core Team members demote each other at the same moment: one must be refused.

The negative control removes the lock and lines the two up right after their checks, and
sees both succeed, leaving the community with no Core Team: so the first test can fail.
"""

import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from communities import services
from communities.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_core_team_members(community):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent transactions")
    return [
        MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM) for _ in range(2)
    ]


def demote_both_at_once(memberships) -> list[str]:
    outcomes = []

    def demote(membership):
        try:
            services.membership_set_tier(membership=membership, tier=Membership.Tier.MEMBER)
            outcomes.append("demoted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(m,)) for m in memberships]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_the_lock_keeps_one_core_team_member(community, two_core_team_members):
    barrier = threading.Barrier(2, timeout=10)
    real_lock = services._lock_community

    def start_together(community):
        barrier.wait()
        real_lock(community)

    with mock.patch.object(services, "_lock_community", start_together):
        outcomes = demote_both_at_once(two_core_team_members)

    assert outcomes == ["demoted", "refused"]
    assert Membership.objects.core_team().filter(community=community).count() == 1


def test_negative_control_without_the_lock_both_are_demoted(community, two_core_team_members):
    barrier = threading.Barrier(2, timeout=10)
    real_check = services._refuse_if_last_core_team

    def check_then_wait(membership, message):
        real_check(membership, message)
        barrier.wait()  # both have passed the check before either writes

    with (
        mock.patch.object(services, "_lock_community", return_value=None),
        mock.patch.object(services, "_refuse_if_last_core_team", check_then_wait),
    ):
        outcomes = demote_both_at_once(two_core_team_members)

    assert outcomes == ["demoted", "demoted"]
    assert Membership.objects.core_team().filter(community=community).count() == 0
