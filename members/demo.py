"""Demo members: 200+ people with realistic profiles in the Urban Water community, and on
request (`seed_demo --members 50000`) a community of that size for scale tests, built with
bulk inserts."""

import random
import secrets
import time
import unicodedata

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import users_set_search
from communities.models import Community, Membership
from members.models import Invitation, NeedsAnswer, NeedsQuestion, Profile, ProfileLanguage, Wave
from members.survey import questions_add_starters

FIRST_NAMES = [
    "Amina", "Rafael", "Mei", "Jonas", "Claire", "Kofi", "Priya", "Ana", "Tomás", "Fatima",
    "Lars", "Nadia", "Samuel", "Aisha", "Carlos", "Ingrid", "Hiroshi", "Zanele", "Omar", "Lucía",
    "Thabo", "Sofia", "Arjun", "Leila", "Mateo", "Grace", "Yusuf", "Elena", "Kwame", "Noor",
]  # fmt: skip
LAST_NAMES = [
    "Diallo", "Ortega", "Lin", "Weber", "Dubois", "Mensah", "Raman", "Souza", "Herrera", "Benali",
    "Nilsson", "Haddad", "Okoro", "Khan", "Silva", "Johansen", "Tanaka", "Dlamini", "Farouk",
    "Méndez", "Mokoena", "Rossi", "Patel", "Nasser", "García", "Achieng", "Demir", "Popescu",
]  # fmt: skip
ORGANISATIONS = [
    "Ghana Water Company", "Chennai Metrowater", "SABESP", "Aguas Andinas", "ONEE",
    "Nairobi City Water", "Manila Water", "Lima Sedapal", "Dhaka WASA", "Addis Ababa Water",
    "Ministry of Public Works", "Ministry of Finance", "Delta Cities Network", "Rand Water",
    "Water Sector Trust Fund", "Danube Water Program", "Mekong River Commission",
]  # fmt: skip
EXPERTISE = [
    "agriculture", "irrigation", "water reuse", "drought planning", "leak detection",
    "smart meters", "tariff design", "climate finance", "green bonds", "procurement",
    "urban planning", "flood management", "sanitation", "wastewater treatment", "desalination",
    "hydrology", "GIS mapping", "data analytics", "customer engagement", "asset management",
    "groundwater", "water quality", "regulation", "public-private partnerships", "resilience",
]  # fmt: skip
COUNTRIES = ["GH", "IN", "BR", "CL", "MA", "KE", "PH", "PE", "BD", "ET", "ZA", "FR", "DE", "SN"]
LANGUAGES = ["en", "fr", "es", "pt", "ar"]
AGE_RANGES = [choice for choice, _label in Profile.AgeRange.choices]
BATCH = 5000
SHARE_EMAIL_RATE, INTERNAL_RATE, TOOK_PART_RATE = 0.3, 0.4, 0.6
SCALE_SLUG = "scale-directory"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _person(rng: random.Random, number: int, domain: str) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "email": f"{_ascii(first)}.{_ascii(last)}.{number}@{domain}".replace(" ", ""),
        "display_name": f"{first} {last}",
        "organisation": rng.choice(ORGANISATIONS),
        "country": rng.choice(COUNTRIES),
        "expertise": rng.sample(EXPERTISE, rng.randint(1, 4)),
        "interests": rng.sample(EXPERTISE, rng.randint(0, 2)),
        "languages": rng.sample(LANGUAGES, rng.randint(1, 2)),
        "age_range": rng.choice([*AGE_RANGES, "", ""]),
    }


def _participation(rng: random.Random, now) -> dict:
    if rng.random() >= TOOK_PART_RATE:
        return {}
    last = now - timezone.timedelta(days=rng.randint(0, 200))
    return {
        "first_participated_at": last - timezone.timedelta(days=rng.randint(0, 120)),
        "last_participated_at": last,
    }


def bulk_add_members(
    *, community: Community, people: list[dict], joined_days_ago: int = 365
) -> int:
    """Creates users, profiles, languages, memberships and search documents in batches.
    Skips emails that already exist. Returns how many were added."""
    rng = random.Random(community.pk)  # noqa: S311 (demo data)
    existing = set(
        User.objects.filter(email__in=[p["email"] for p in people]).values_list("email", flat=True)
    )
    people = [p for p in people if p["email"] not in existing]
    now = timezone.now()
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=p["email"],
                        display_name=p["display_name"],
                        organisation=p["organisation"],
                        country=p["country"],
                        password=make_password(None),  # unusable: demo people do not sign in
                    )
                    for p in chunk
                ]
            )
            Profile.objects.bulk_create(
                [
                    Profile(
                        user=user,
                        expertise=p["expertise"],
                        interests=p["interests"],
                        languages=sorted(p["languages"]),
                        age_range=p["age_range"],
                        bio=f"{p['display_name']} works on {', '.join(p['expertise'])}.",
                        show_email=rng.random() < SHARE_EMAIL_RATE,
                    )
                    for user, p in zip(users, chunk, strict=True)
                ]
            )
            ProfileLanguage.objects.bulk_create(
                [
                    ProfileLanguage(user=user, code=code)
                    for user, p in zip(users, chunk, strict=True)
                    for code in p["languages"]
                ]
            )
            Membership.objects.bulk_create(
                [
                    Membership(
                        community=community,
                        user=user,
                        status=Membership.Status.ACTIVE,
                        tier=Membership.Tier.MEMBER,
                        is_internal=rng.random() < INTERNAL_RATE,
                        acquisition_source=rng.choice(Membership.Source.values),
                        joined_at=now - timezone.timedelta(days=rng.randint(0, joined_days_ago)),
                        **_participation(rng, now),
                    )
                    for user in users
                ]
            )
            users_set_search(
                documents={
                    user.pk: {
                        "A": p["display_name"],
                        "B": " ".join([p["organisation"], *p["expertise"]]),
                        "C": " ".join([str(user.country.name), *p["interests"]]),
                    }
                    for user, p in zip(users, chunk, strict=True)
                }
            )
    return len(people)


def build_scale_community(*, members: int, stdout=None) -> Community:
    """A community of `members` active members (reused and topped up if it exists)."""
    community, _ = Community.objects.get_or_create(
        slug=SCALE_SLUG,
        defaults={
            "name": "Directory at scale",
            "description": "Synthetic members for performance tests.",
            "visibility": Community.Visibility.UNLISTED,
        },
    )
    have = Membership.objects.filter(community=community).count()
    if have >= members:
        return community
    rng = random.Random(members)  # noqa: S311 (demo data)
    started = time.monotonic()
    people = [_person(rng, number, "scale.copsite.org") for number in range(have, members)]
    added = bulk_add_members(community=community, people=people)
    if connection.vendor == "postgresql":
        # VACUUM cannot run in a transaction (seed_demo runs in one): after it commits.
        transaction.on_commit(_vacuum_after_bulk_load)
    if stdout:
        stdout.write(
            f"members: {added} members added to /{SCALE_SLUG}/ "
            f"in {time.monotonic() - started:.1f} s\n"
        )
    return community


def _vacuum_after_bulk_load() -> None:
    """Autovacuum does this in normal operation; a fresh data set cannot wait for it.

    VACUUM merges the GIN indexes' pending lists (left unmerged, every search scans them
    linearly: 10x slower) and drops the dead rows the search-copy update left (they doubled
    the table a directory walk reads). ANALYZE refreshes the planner's statistics.
    """
    with connection.cursor() as cursor:
        for table in ("accounts_user", "communities_membership", "members_profile",
                      "members_profilelanguage"):  # fmt: skip
            cursor.execute(f"VACUUM (ANALYZE) {table}")


WAVES = [  # name, weeks ago, members (by position in the demo list)
    ("Founding members", 26, range(80)),
    ("Autumn cohort", 12, range(80, 160)),
    ("Winter cohort", 2, range(160, 220)),
]
OUTSTANDING = ["kwame.asante@demo.copsite.org", "elena.popescu@demo.copsite.org",
               "noor.haddad@demo.copsite.org", "mateo.garcia@demo.copsite.org"]  # fmt: skip


def _seed_waves(*, community: Community, people: list[dict]) -> None:
    """Three waves whose invitations were accepted, and a few still outstanding."""
    memberships = {
        m.user.email: m
        for m in Membership.objects.filter(
            community=community, user__email__in=[p["email"] for p in people]
        ).select_related("user")
    }
    now = timezone.now()
    for name, weeks_ago, positions in WAVES:
        wave, created = Wave.objects.get_or_create(
            community=community,
            name=name,
            defaults={
                "planned_date": (now - timezone.timedelta(weeks=weeks_ago)).date(),
                "welcome_message": "Welcome! Our monthly Roundtable is the first Tuesday; "
                "introduce yourself in the thread before then.",
                "status": Wave.Status.SENT,
                "sent_at": now - timezone.timedelta(weeks=weeks_ago),
            },
        )
        if not created:
            continue
        Invitation.objects.bulk_create(
            [
                Invitation(
                    community=community,
                    wave=wave,
                    email=people[i]["email"],
                    name=people[i]["display_name"],
                    status=Invitation.Status.ACCEPTED,
                    sent_at=wave.sent_at,
                    send_count=1,
                    accepted_at=wave.sent_at + timezone.timedelta(days=2),
                    membership=memberships[people[i]["email"]],
                )
                for i in positions
                if people[i]["email"] in memberships
            ]
        )
    last_wave = Wave.objects.get(community=community, name=WAVES[-1][0])
    for email in OUTSTANDING:
        Invitation.objects.get_or_create(
            community=community,
            email=email,
            defaults={
                "wave": last_wave,
                "status": Invitation.Status.SENT,
                "sent_at": now - timezone.timedelta(days=3),
                "expires_at": now + timezone.timedelta(days=11),
                "send_count": 1,
                # A random hash: the demo has no working link (the Core Team can resend).
                "token_hash": secrets.token_hex(32),
            },
        )


NEEDS_TEXTS = [
    "Peers who cut non-revenue water below 20%, and what it cost them.",
    "A template for drought contingency plans.",
    "Contacts in utilities that run smart-meter pilots.",
    "Help preparing a tariff reform for the regulator.",
    "Case studies on serving informal settlements.",
]


def _seed_survey(*, community: Community, rng: random.Random) -> int:
    """The starter questions, answered by about 40% of the members."""
    if not community.needs_questions.exists():
        questions_add_starters(community=community)
    if NeedsAnswer.objects.filter(question__community=community).exists():
        return NeedsAnswer.objects.filter(question__community=community).count()
    answers = []
    for membership in Membership.objects.filter(community=community).order_by("pk")[::5][:90]:
        for question in community.needs_questions.all():
            if question.kind == NeedsQuestion.Kind.TEXT:
                value = rng.choice(NEEDS_TEXTS)
            elif question.kind == NeedsQuestion.Kind.SCALE:
                value = rng.choice([3, 4, 4, 5, 5, 2])
            elif question.kind == NeedsQuestion.Kind.MULTIPLE:
                value = rng.sample(question.choices, rng.randint(1, 3))
            else:
                value = rng.choice(question.choices)
            answers.append(NeedsAnswer(question=question, membership=membership, value=value))
    NeedsAnswer.objects.bulk_create(answers)
    return len(answers)


def seed(*, stdout, members: int = 0, **options) -> None:
    community = Community.objects.get(slug="urban-water")
    rng = random.Random(2026)  # noqa: S311 (demo data)
    people = [_person(rng, number, "demo.copsite.org") for number in range(220)]
    added = bulk_add_members(community=community, people=people)
    _seed_waves(community=community, people=people)
    answered = _seed_survey(community=community, rng=rng)
    stdout.write(f"members: the needs survey has {answered} answers in Urban Water Practitioners")
    stdout.write(
        f"members: {added} members with profiles added to Urban Water Practitioners, "
        f"in {len(WAVES)} onboarding waves, with {len(OUTSTANDING)} invitations outstanding"
    )
    if members:
        build_scale_community(members=members, stdout=stdout)
