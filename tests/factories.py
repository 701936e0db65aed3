from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership, RoleAssignment
from events.models import Event, Format, Registration, Visibility
from members.models import Invitation, Wave

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    organisation = factory.Faker("company")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address, as allauth needs to let someone sign in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    description = factory.Faker("sentence")
    visibility = Community.Visibility.PUBLIC


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    status = Membership.Status.ACTIVE
    tier = Membership.Tier.MEMBER
    joined_at = factory.LazyFunction(timezone.now)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    community = factory.SubFactory(CommunityFactory)
    role = RoleAssignment.Role.MANAGER
    holder = factory.SubFactory(UserFactory)


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Wave {n}")
    planned_date = factory.LazyFunction(timezone.localdate)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    wave = factory.SubFactory(WaveFactory)
    community = factory.SelfAttribute("wave.community")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    status = Invitation.Status.SENT


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Roundtable {n}")
    format = Format.ROUNDTABLE
    mode = Event.Mode.ONLINE
    online_url = "https://meet.example.org/roundtable"
    time_zone = "Europe/Paris"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=1, minutes=30))
    visibility = Visibility.MEMBERS


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


def one_seat_taken(*, community, holder, visibility=Visibility.MEMBERS):
    """A one-seat event of `community`, registered through the service: `holder` has the
    seat and a new member waits behind them. Returns (event, seat, waiting)."""
    from events import services  # noqa: PLC0415 (factories stay importable on their own)

    event = EventFactory(community=community, visibility=visibility, capacity=1)
    seat = services.event_register(event=event, user=holder)
    waiting = services.event_register(event=event, user=MembershipFactory(community=community).user)
    return event, seat, waiting
