"""Three demo communities as the Toolkit describes them: public and open, on request, and
private; each with a Core Team, a Core Group and named roles. One key role lacks a backup,
so the succession warnings have something to show."""

from django.utils import timezone

from accounts.models import User
from communities.models import Community, CommunityLanguage, Membership, RoleAssignment
from communities.search import memberships_copy_search

ROLE = RoleAssignment.Role
TEAM, GROUP, MEMBER = Membership.Tier.CORE_TEAM, Membership.Tier.CORE_GROUP, Membership.Tier.MEMBER

COMMUNITIES = [
    {
        "fields": {
            "slug": "urban-water",
            "name": "Urban Water Practitioners",
            "description": "City utilities and ministries sharing what works for resilient "
            "water services.",
            "visibility": Community.Visibility.PUBLIC,
            "join_policy": Community.JoinPolicy.OPEN,
            "purpose": "We talk about running urban water services that last:\n\n"
            "- cutting **non-revenue water** below 20%\n"
            "- planning for drought and floods\n"
            "- engaging customers in informal settlements\n\n"
            "Objective for this year: every member utility has a peer it can call.",
            "people": "Engineers, planners and customer-service leads of utilities in low- "
            "and middle-income cities, and the ministry staff who regulate them. "
            "Members told us they need **tested practices**, not theory, and a quick "
            "answer when a crisis hits.",
            "practice": "A monthly *Roundtable* online (75% discussion), a yearly study tour, "
            "and peer assists on request. Notes and recordings go to the library within "
            "a week; the Knowledge Management Advisor curates them.",
            "value_to_members": "Solutions that already worked elsewhere, peers who answer "
            "within a day, and visibility for their own work.",
            "value_to_organisation": "Faster project preparation, fewer repeated mistakes, "
            "and a pipeline of utilities ready for investment.",
        },
        "languages": ["en", "fr", "es"],
        "people": {
            "manager@demo.copsite.org": TEAM,
            "leader@demo.copsite.org": TEAM,
            "champion@demo.copsite.org": GROUP,
            "kofi@demo.copsite.org": GROUP,
            "priya@demo.copsite.org": GROUP,
            "ana@demo.copsite.org": GROUP,
            "tomas@demo.copsite.org": GROUP,
            "fatima@demo.copsite.org": MEMBER,
            "member@demo.copsite.org": MEMBER,
        },
        # Staff of the host organisation (the Urban Water Alliance): the manager may hold a
        # place at an "internal members only" event; the demo member, a partner, is told why
        # they may not.
        "internal": ["manager@demo.copsite.org"],
        "roles": [
            (ROLE.MANAGER, "manager@demo.copsite.org", "leader@demo.copsite.org"),
            # The Leader has no backup: the roles page warns about it.
            (ROLE.LEADER, "leader@demo.copsite.org", None),
            (ROLE.KNOWLEDGE_MANAGEMENT, "champion@demo.copsite.org", "priya@demo.copsite.org"),
            (ROLE.TECHNICAL_EXPERT, "kofi@demo.copsite.org", "ana@demo.copsite.org"),
            (ROLE.SPONSOR, "sponsor@demo.copsite.org", None),
        ],
    },
    {
        "fields": {
            "slug": "climate-finance",
            "name": "Climate Finance Peer Network",
            "description": "Finance officers comparing notes on blended finance, green "
            "bonds and results-based climate programmes.",
            "visibility": Community.Visibility.PUBLIC,
            "join_policy": Community.JoinPolicy.ON_REQUEST,
            "purpose": "How ministries of finance mobilise and track climate money: "
            "green bond frameworks, climate budget tagging, results-based finance.",
            "people": "Budget and debt officers of finance ministries; development-bank "
            "counterparts join as observers.",
            "practice": "A quarterly **E-Debate**, a shared library of frameworks, and "
            "one annual meeting alongside the spring meetings.",
            "value_to_members": "Templates and contacts that shorten a green bond issue "
            "from two years to one.",
            "value_to_organisation": "",
        },
        "languages": ["en", "ar"],
        "people": {
            "lars@demo.copsite.org": TEAM,
            "nadia@demo.copsite.org": TEAM,
            "leader@demo.copsite.org": GROUP,
            "samuel@demo.copsite.org": GROUP,
            "member@demo.copsite.org": MEMBER,
        },
        "requests": ["fatima@demo.copsite.org", "tomas@demo.copsite.org"],
        "roles": [
            (ROLE.MANAGER, "lars@demo.copsite.org", "nadia@demo.copsite.org"),
            (ROLE.LEADER, "nadia@demo.copsite.org", "lars@demo.copsite.org"),
            (ROLE.COMMUNICATIONS, "samuel@demo.copsite.org", None),
        ],
    },
    {
        "fields": {
            "slug": "procurement-heads",
            "name": "Heads of Procurement Circle",
            "description": "A closed circle of procurement directors discussing sensitive "
            "reforms under the Chatham House rule.",
            "visibility": Community.Visibility.PRIVATE,
            "join_policy": Community.JoinPolicy.INVITATION,
            "purpose": "E-procurement reform, integrity risks, and framework agreements.",
            "people": "Heads of national procurement agencies only.",
            "practice": "A **Fishbowl** every two months in person, notes shared only "
            "inside the circle.",
            "value_to_members": "A safe place to test reform ideas before they go public.",
            "value_to_organisation": "Early sight of reform demand, and trusted "
            "relationships for technical assistance.",
        },
        "languages": ["en"],
        "people": {
            "manager@demo.copsite.org": TEAM,
            "nadia@demo.copsite.org": TEAM,
            "samuel@demo.copsite.org": MEMBER,
        },
        "roles": [
            (ROLE.MANAGER, "manager@demo.copsite.org", "nadia@demo.copsite.org"),
            (ROLE.LEADER, "nadia@demo.copsite.org", "manager@demo.copsite.org"),
            (ROLE.ADMINISTRATIVE, "samuel@demo.copsite.org", None),
        ],
    },
]


def seed(*, stdout, **options) -> None:
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.copsite.org")}
    now = timezone.now()
    for data in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            slug=data["fields"]["slug"], defaults=data["fields"]
        )
        for code in data["languages"]:
            CommunityLanguage.objects.get_or_create(community=community, code=code)
        for email, tier in data["people"].items():
            Membership.objects.update_or_create(
                community=community,
                user=users[email],
                defaults={"tier": tier, "status": Membership.Status.ACTIVE},
                create_defaults={
                    "tier": tier,
                    "status": Membership.Status.ACTIVE,
                    "joined_at": now,
                    "acquisition_source": Membership.Source.DIRECT_INVITATION,
                },
            )
        # Only ever made internal here: turning someone external must go through the
        # services, which give up their places at internal events.
        Membership.objects.filter(
            community=community, user__email__in=data.get("internal", [])
        ).update(is_internal=True)
        for email in data.get("requests", []):
            Membership.objects.get_or_create(
                community=community,
                user=users[email],
                defaults={"status": Membership.Status.REQUESTED},
            )
        for role, holder, backup in data["roles"]:
            RoleAssignment.objects.update_or_create(
                community=community,
                role=role,
                holder=users[holder],
                defaults={"backup": users[backup] if backup else None},
            )
    memberships_copy_search([user.pk for user in users.values()])
    stdout.write(
        f"communities: {len(COMMUNITIES)} communities (public and open, on request, private) "
        "with canvases, Core Teams, Core Groups and roles"
    )
