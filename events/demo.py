"""Demo events in Urban Water Practitioners: upcoming and past, every format, a full event
with a waiting list, registrations and attendance. Idempotent: events are found again by
title, registrations are inserted only where missing."""

import random
from datetime import timedelta

from django.utils import timezone

from communities.models import Community, Membership
from events.models import (
    ActionItem,
    AgendaSegment,
    ChecklistItem,
    Event,
    EventLanguage,
    Feedback,
    FollowUp,
    Format,
    Material,
    Registration,
    Visibility,
)
from events.services import checklist_add_defaults

IN_PERSON, ONLINE, HYBRID = Event.Mode.IN_PERSON, Event.Mode.ONLINE, Event.Mode.HYBRID

# title, format, mode, place, days from now, hours long, capacity, visibility, languages,
# interpretation, how many register
EVENTS = [
    ("Roundtable: cutting non-revenue water", Format.ROUNDTABLE, ONLINE, "", 5, 1.5, 40,
     Visibility.MEMBERS, ["en"], False, 23),
    ("Peer Assist: Nairobi's smart meter rollout", Format.PEER_ASSIST, HYBRID,
     "Nairobi City Water, Kampala Road, Nairobi", 12, 3, 12, Visibility.MEMBERS, ["en"], False,
     16),
    ("Fishbowl: tariffs and affordability", Format.FISHBOWL, IN_PERSON,
     "Sedapal headquarters, Lima", 20, 2, 25, Visibility.INTERNAL, ["es", "en"], True, 9),
    ("E-Debate: should utilities own desalination?", Format.E_DEBATE, ONLINE, "", 30, 72, None,
     Visibility.PUBLIC, ["en", "fr"], False, 41),
    ("Webinar: green bonds for water utilities", Format.WEBINAR, ONLINE, "", 9, 1, 200,
     Visibility.PUBLIC, ["en", "fr"], True, 57),
    ("Workshop: drought contingency plans", Format.WORKSHOP, IN_PERSON,
     "Chennai Metrowater training centre", 45, 6, 30, Visibility.MEMBERS, ["en"], False, 14),
    ("Core Team: planning the next quarter", Format.OTHER, ONLINE, "", 3, 1, None,
     Visibility.CORE, ["en"], False, 4),
    ("Study Tour: NEWater and water reuse", Format.STUDY_TOUR, IN_PERSON,
     "NEWater Visitor Centre, Singapore", -60, 8, 20, Visibility.MEMBERS, ["en"], False, 20),
    ("Social: water-cooler chat", Format.SOCIAL, ONLINE, "", -14, 1, None, Visibility.MEMBERS,
     ["en", "es"], False, 18),
    ("Annual Meeting 2026", Format.ANNUAL_MEETING, HYBRID, "Dakar, Radisson Blu", -120, 16,
     150, Visibility.MEMBERS, ["en", "fr"], True, 96),
    ("Online Discussion: smart meter data and privacy", Format.ONLINE_DISCUSSION, ONLINE, "",
     -40, 168, None, Visibility.MEMBERS, ["en"], False, 27),
    ("Roundtable: leak detection that worked", Format.ROUNDTABLE, ONLINE, "", -30, 1.5, 40,
     Visibility.MEMBERS, ["en"], False, 31),
]  # fmt: skip

DESCRIPTION = (
    "Bring one experience to share in five minutes. Most of the time is for discussion "
    "between members; the Core Group takes notes and shares them after."
)
# Demo people with a visible place in the story: the member waits for the full Peer Assist.
FULL_EVENT = "Peer Assist: Nairobi's smart meter rollout"
CHECK_IN_RATE = 0.75
FEEDBACK_RATE = 0.4
# Agendas (title, minutes, kind) by format; the webinar and the annual meeting break the
# 75/25 rule, as real ones often do.
DISCUSSION, QA, BREAKOUT, NETWORKING, TALK, MODERATION = (
    "discussion", "qa", "breakout", "networking", "presentation", "moderation",
)  # fmt: skip
AGENDAS = {
    Format.ROUNDTABLE: [("Welcome and introductions", 10, MODERATION),
                        ("Three five-minute experiences", 15, TALK),
                        ("Open discussion", 50, DISCUSSION), ("What we take away", 15, QA)],
    Format.PEER_ASSIST: [("The host team states its challenge", 20, TALK),
                         ("Peers ask questions", 30, QA),
                         ("Peers share what worked", 60, DISCUSSION),
                         ("Options and next steps", 40, BREAKOUT), ("Thanks", 10, MODERATION)],
    Format.FISHBOWL: [("Opening", 10, MODERATION), ("Inner circle", 80, DISCUSSION),
                      ("Harvest", 30, QA)],
    Format.WEBINAR: [("Keynote: green bonds 101", 30, TALK), ("Case study: Cape Town", 15, TALK),
                     ("Questions", 15, QA)],
    Format.WORKSHOP: [("Framing", 20, TALK), ("Drafting plans in groups", 180, BREAKOUT),
                      ("Report back", 90, DISCUSSION), ("Networking lunch", 60, NETWORKING)],
    Format.ANNUAL_MEETING: [("Opening speeches", 90, TALK), ("The year in results", 120, TALK),
                            ("Panel of sponsors", 90, TALK), ("Open space", 240, BREAKOUT),
                            ("Dinner", 120, NETWORKING)],
    Format.SOCIAL: [("Water-cooler chat", 60, NETWORKING)],
}  # fmt: skip


def _event(community: Community, row, now, creator, note_taker) -> Event:
    title, format_, mode, place, days, hours, capacity, visibility, languages, interp, _ = row
    starts = (now + timedelta(days=days)).replace(hour=13, minute=0, second=0, microsecond=0)
    fields = {
        "format": format_,
        "mode": mode,
        "place": place,
        "online_url": "" if mode == IN_PERSON else "https://meet.example.org/urban-water",
        "description": DESCRIPTION,
        "time_zone": "UTC",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=hours),
        "capacity": capacity,
        "visibility": visibility,
        "interpretation": interp,
    }
    event, _created = Event.objects.update_or_create(
        community=community,
        title=title,
        defaults=fields,
        create_defaults={**fields, "created_by": creator},
    )
    for code in languages:
        EventLanguage.objects.get_or_create(event=event, code=code)
    if not event.agenda.exists():
        AgendaSegment.objects.bulk_create(
            AgendaSegment(event=event, position=position, title=name, minutes=minutes, kind=kind)
            for position, (name, minutes, kind) in enumerate(AGENDAS.get(format_, []))
        )
    if checklist_add_defaults(event=event):
        items = event.checklist.all()
        if event.ends_at < now:  # a past event: everything done by its organiser
            items.update(done_at=event.ends_at, done_by=creator)
        else:
            items.filter(phase=ChecklistItem.Phase.BEFORE, due_days__lte=-14).update(
                done_at=now, done_by=creator
            )
            items.filter(title="Note-taker assigned").update(assignee=note_taker)
    return event


def _registrations(event: Event, people: list[Membership], wanted: int, rng, now) -> list:
    """`wanted` people, seated until capacity and then waiting, in a fixed order."""
    rows = []
    past = event.ends_at < now
    for position, membership in enumerate(people[:wanted]):
        registered = event.starts_at - timedelta(days=20) + timedelta(minutes=37 * position)
        registered = min(registered, now - timedelta(minutes=wanted - position))
        seated = event.capacity is None or position < event.capacity
        rows.append(
            Registration(
                event=event,
                user_id=membership.user_id,
                status=Registration.Status.CONFIRMED if seated else Registration.Status.WAITING,
                registered_at=registered,
                confirmed_at=registered if seated else None,
                waiting_since=None if seated else registered,
                checked_in_at=event.starts_at
                if past and seated and rng.random() < CHECK_IN_RATE
                else None,
            )
        )
    return rows


NOTES = """**Agreed**

- Three utilities share their leak-detection contracts before the next roundtable.
- The Core Group drafts a one-page guide on acoustic loggers.

**Open questions**

- Who funds the pilot in Lima? Ask the Water Sector Trust Fund.
"""
REVIEW = {
    "aar_expected": "Twenty members share what worked in leak detection, and agree two pilots.",
    "aar_happened": "Fourteen came; the discussion was rich but only one pilot was agreed.",
    "aar_difference": "It clashed with a regional conference, and the invitation went out late.",
    "aar_sustain_change": "Keep the five-minute openings; send invitations three weeks ahead.",
}
COMMENTS = [
    "Hearing what Lima tried saved us months.",
    "More time for the discussion, please.",
    "The breakout on contracts was the most useful part.",
    "Too much presenting at the start.",
    "Great to meet peers facing the same problems.",
]


def _follow_up(event: Event, organiser, members: list[Membership], rng) -> None:
    """Notes, a review, materials, action items and feedback for a past event."""
    if FollowUp.objects.filter(event=event).exists():
        return
    FollowUp.objects.create(event=event, notes=NOTES, updated_by=organiser, **REVIEW)
    Material.objects.create(
        event=event, title="Slides", url="https://example.org/urban-water/slides",
        visibility=event.visibility, added_by=organiser,
    )  # fmt: skip
    Material.objects.create(
        event=event, title="Recording", url="https://example.org/urban-water/recording",
        visibility=Visibility.MEMBERS, added_by=organiser,
    )  # fmt: skip
    for number, title in enumerate(["Share the leak-detection contracts", "Draft the guide"]):
        ActionItem.objects.create(
            event=event, title=title, owner=members[number].user,
            due_date=(event.ends_at + timedelta(days=14 * (number + 1))).date(),
            done_at=event.ends_at + timedelta(days=7) if number == 0 else None,
        )  # fmt: skip
    attendees = event.registrations.exclude(checked_in_at=None).order_by("id")
    Feedback.objects.bulk_create(
        Feedback(
            event=event,
            user_id=registration.user_id,
            rating=rng.choice([3, 4, 4, 5, 5]),
            recommend=rng.choice([6, 7, 8, 9, 9, 10, 10]),
            comment=rng.choice(["", *COMMENTS]),
        )
        for registration in attendees
        if rng.random() < FEEDBACK_RATE
    )


def seed(*, stdout, **options) -> None:
    community = Community.objects.get(slug="urban-water")
    rng = random.Random(75)  # noqa: S311 (demo data)
    now = timezone.now()
    members = list(
        Membership.objects.active()
        .filter(community=community)
        .exclude(user__email__in=["member@demo.copsite.org", "sponsor@demo.copsite.org"])
        .order_by("id")
    )
    by_email = {
        membership.user.email: membership
        for membership in Membership.objects.filter(
            community=community, user__email__endswith="@demo.copsite.org"
        ).select_related("user")
    }
    creator = by_email["manager@demo.copsite.org"].user
    core = {Membership.Tier.CORE_GROUP, Membership.Tier.CORE_TEAM}
    internal = [membership for membership in members if membership.is_internal]
    rows = []
    for row in EVENTS:
        event = _event(community, row, now, creator, by_email["champion@demo.copsite.org"].user)
        wanted = row[-1]
        if event.visibility == Visibility.CORE:
            people = [membership for membership in members if membership.tier in core]
        elif event.visibility == Visibility.INTERNAL:
            people = internal
        else:
            people = rng.sample(members, k=min(len(members), wanted + 5))
        if event.title == FULL_EVENT:  # the demo member waits, third in line
            people = [p for p in people if p.user.email != "member@demo.copsite.org"]
            people.insert(event.capacity + 2, by_email["member@demo.copsite.org"])
        if event.title.startswith("Roundtable: cutting"):
            people = [by_email["member@demo.copsite.org"], *people]
        rows += _registrations(event, people, wanted, rng, now)
    Registration.objects.bulk_create(rows, ignore_conflicts=True)
    core_members = [membership for membership in members if membership.tier in core]
    for event in Event.objects.filter(community=community, ends_at__lt=now):
        _follow_up(event, creator, core_members, rng)
    registered = Registration.objects.filter(event__community=community).count()
    stdout.write(
        f"events: {len(EVENTS)} events in Urban Water Practitioners (every format, past and "
        f"upcoming, one full with a waiting list) and {registered} registrations"
    )
