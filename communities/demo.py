from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership, RoleAssignment

COMMUNITIES = [
    {
        "slug": "urban-water",
        "name": "Urban Water Practitioners",
        "description": "City utilities and ministries sharing what works for resilient water "
        "services: non-revenue water, drought planning and customer engagement.",
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.OPEN,
    },
    {
        "slug": "climate-finance",
        "name": "Climate Finance Peer Network",
        "description": "Finance officers comparing notes on blended finance, green bonds and "
        "results-based climate programmes.",
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.ON_REQUEST,
    },
]

# email -> tier in every demo community
TIERS = {
    "manager@demo.copsite.org": Membership.Tier.CORE_TEAM,
    "leader@demo.copsite.org": Membership.Tier.CORE_TEAM,
    "champion@demo.copsite.org": Membership.Tier.CORE_GROUP,
    "member@demo.copsite.org": Membership.Tier.MEMBER,
}


def seed(*, stdout) -> None:
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.copsite.org")}
    for data in COMMUNITIES:
        community, _ = Community.objects.update_or_create(slug=data["slug"], defaults=data)
        for email, tier in TIERS.items():
            Membership.objects.update_or_create(
                community=community,
                user=users[email],
                defaults={"tier": tier, "status": Membership.Status.ACTIVE},
                create_defaults={
                    "tier": tier,
                    "status": Membership.Status.ACTIVE,
                    "joined_at": timezone.now(),
                },
            )
        RoleAssignment.objects.update_or_create(
            community=community,
            role=RoleAssignment.Role.MANAGER,
            holder=users["manager@demo.copsite.org"],
            defaults={"backup": users["leader@demo.copsite.org"]},
        )
        RoleAssignment.objects.update_or_create(
            community=community,
            role=RoleAssignment.Role.SPONSOR,
            holder=users["sponsor@demo.copsite.org"],
            defaults={"backup": None},
        )
    stdout.write(f"communities: {len(COMMUNITIES)} public communities with a Core Team and roles")
