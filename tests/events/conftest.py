import pytest

from communities.models import Membership
from tests.factories import EventFactory, MembershipFactory


@pytest.fixture
def event(community):
    return EventFactory(community=community, capacity=2)


@pytest.fixture
def make_member(community):
    def make(**kwargs):
        return MembershipFactory(community=community, **kwargs).user

    return make


@pytest.fixture
def organiser(community):
    return MembershipFactory(community=community, tier=Membership.Tier.CORE_GROUP).user
