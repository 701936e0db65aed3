"""Demo events in Urban Water Practitioners: every format both past and upcoming, with
agendas (some breaking the 75/25 rule), a full event with a waiting list, a cancelled one,
registrations and attendance; past events have notes, a review, materials (links and an
uploaded file), action items and feedback. Times are in each event's own zone.

Idempotent: events are found again by title; registrations, follow-ups and files are
inserted only where missing. Each event draws its people from a random generator seeded by
its title, so adding an event to the list does not change who registered for the others."""

import random
import uuid
from datetime import datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Community, Membership
from communities.rules import accesses_for
from communities.services import membership_record_participation
from events import rules
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
from events.services import check_material_file, checklist_add_defaults

IN_PERSON, ONLINE, HYBRID = Event.Mode.IN_PERSON, Event.Mode.ONLINE, Event.Mode.HYBRID
MEMBERS, PUBLIC, INTERNAL, CORE = (
    Visibility.MEMBERS, Visibility.PUBLIC, Visibility.INTERNAL, Visibility.CORE,
)  # fmt: skip


class Planned(NamedTuple):
    """A demo event as the list below gives it."""

    title: str
    format: str
    mode: str
    place: str
    time_zone: str  # the event's own: in person, where it happens
    days: int  # from today; negative in the past
    hours: float
    capacity: int | None
    visibility: str
    languages: list[str]
    interpretation: bool
    registrants: int  # how many register (beyond the capacity: the waiting list)
    cancelled: bool = False


# One row per event, in the order of Planned's fields.
EVENTS = [Planned(*row) for row in [
    # Upcoming
    ("Roundtable: cutting non-revenue water", Format.ROUNDTABLE, ONLINE, "", "UTC", 5,
     1.5, 40, MEMBERS, ["en"], False, 23),
    ("Peer Assist: Nairobi's smart meter rollout", Format.PEER_ASSIST, HYBRID,
     "Nairobi City Water, Kampala Road, Nairobi", "Africa/Nairobi", 12, 3, 12, MEMBERS,
     ["en"], False, 16),
    ("Fishbowl: tariffs and affordability", Format.FISHBOWL, IN_PERSON,
     "Sedapal headquarters, Lima", "America/Lima", 20, 2, 25, INTERNAL, ["es", "en"], True,
     9),
    ("E-Debate: should utilities own desalination?", Format.E_DEBATE, ONLINE, "", "UTC",
     30, 72, None, PUBLIC, ["en", "fr"], False, 41),
    ("Webinar: green bonds for water utilities", Format.WEBINAR, ONLINE, "",
     "Europe/Paris", 9, 1, 200, PUBLIC, ["en", "fr"], True, 57),
    ("Workshop: drought contingency plans", Format.WORKSHOP, IN_PERSON,
     "Chennai Metrowater training centre", "Asia/Kolkata", 45, 6, 30, MEMBERS, ["en"],
     False, 14),
    ("Core Team: planning the next quarter", Format.OTHER, ONLINE, "", "Africa/Dakar", 3,
     1, None, CORE, ["en"], False, 4),
    ("Study Tour: Durban's water loss turnaround", Format.STUDY_TOUR, IN_PERSON,
     "eThekwini Water and Sanitation, Durban", "Africa/Johannesburg", 60, 8, 20, MEMBERS,
     ["en"], False, 15),
    ("Social: meet the new members", Format.SOCIAL, ONLINE, "", "UTC", 7, 1, None,
     MEMBERS, ["en", "fr", "es"], False, 21),
    ("Annual Meeting: Lima", Format.ANNUAL_MEETING, HYBRID,
     "Centro de Convenciones de Lima", "America/Lima", 240, 16, 150, MEMBERS,
     ["en", "es"], True, 38),
    ("Online Discussion: paying for leak detection", Format.ONLINE_DISCUSSION, ONLINE,
     "", "UTC", 15, 168, None, MEMBERS, ["en", "es"], False, 19),
    # Called off: registrations stay as they were, calendars show it CANCELLED.
    ("Workshop: GIS mapping of informal networks", Format.WORKSHOP, IN_PERSON,
     "Dhaka WASA, Karwan Bazar, Dhaka", "Asia/Dhaka", 25, 6, 24, MEMBERS, ["en"], False,
     11, True),
    # Past
    ("Study Tour: NEWater and water reuse", Format.STUDY_TOUR, IN_PERSON,
     "NEWater Visitor Centre, Singapore", "Asia/Singapore", -60, 8, 20, MEMBERS, ["en"],
     False, 20),
    ("Social: water-cooler chat", Format.SOCIAL, ONLINE, "", "UTC", -14, 1, None,
     MEMBERS, ["en", "es"], False, 18),
    ("Annual Meeting 2026", Format.ANNUAL_MEETING, HYBRID, "Dakar, Radisson Blu",
     "Africa/Dakar", -120, 16, 150, MEMBERS, ["en", "fr"], True, 96),
    ("Online Discussion: smart meter data and privacy", Format.ONLINE_DISCUSSION, ONLINE,
     "", "UTC", -40, 168, None, MEMBERS, ["en"], False, 27),
    ("Roundtable: leak detection that worked", Format.ROUNDTABLE, ONLINE, "", "UTC", -30,
     1.5, 40, MEMBERS, ["en"], False, 31),
    ("Peer Assist: Lima's tariff reform", Format.PEER_ASSIST, HYBRID,
     "Sedapal headquarters, Lima", "America/Lima", -75, 3, 12, MEMBERS, ["es", "en"],
     True, 12),
    ("Fishbowl: serving informal settlements", Format.FISHBOWL, IN_PERSON,
     "Rand Water, Rietvlei, Johannesburg", "Africa/Johannesburg", -90, 2, 25, MEMBERS,
     ["en"], False, 22),
    ("E-Debate: is 20% non-revenue water realistic?", Format.E_DEBATE, ONLINE, "", "UTC",
     -100, 72, None, PUBLIC, ["en", "es"], False, 38),
    ("Webinar: smart meters without the hype", Format.WEBINAR, ONLINE, "",
     "Europe/Paris", -21, 1, 200, PUBLIC, ["en", "fr"], True, 64),
    ("Workshop: writing a non-revenue water reduction plan", Format.WORKSHOP, IN_PERSON,
     "Ghana Water Company, Accra", "Africa/Accra", -50, 6, 30, MEMBERS, ["en", "fr"],
     True, 28),
    ("Core Team: looking back on the year", Format.OTHER, ONLINE, "", "Africa/Dakar",
     -35, 1, None, CORE, ["en"], False, 5),
]]  # fmt: skip

DESCRIPTION = (
    "Bring one experience to share in five minutes. Most of the time is for discussion "
    "between members; the Core Group takes notes and shares them after."
)
# Demo people with a visible place in the story: the member waits for the full Peer Assist
# (third in line), has a seat at the next Roundtable and at the cancelled workshop, and came
# to two past events without giving feedback yet, so the feedback form opens for them.
DEMO_MEMBER = "member@demo.copsite.org"
FULL_EVENT = "Peer Assist: Nairobi's smart meter rollout"
MEMBER_SEATED = {
    "Roundtable: cutting non-revenue water",
    "Workshop: GIS mapping of informal networks",
}
MEMBER_ATTENDED = ["Roundtable: leak detection that worked", "Social: water-cooler chat"]
CHECK_IN_RATE = 0.75
FEEDBACK_RATE = 0.4
# Local start: in the morning where people travel to it; online at 13:00 in the event's
# zone (UTC or near it: early afternoon is the hour most members' working days share).
START_HOUR = {IN_PERSON: 9, HYBRID: 9, ONLINE: 13}
# Agendas (title, minutes, kind) by format; webinars and annual meetings break the 75/25
# rule, as real ones often do. E-Debates and online discussions run for days, without one.
DISCUSSION, QA, BREAKOUT, NETWORKING, TALK, MODERATION = (
    "discussion", "qa", "breakout", "networking", "presentation", "moderation",
)  # fmt: skip
AGENDAS = {
    Format.ROUNDTABLE: [("Welcome and introductions", 5, MODERATION),
                        ("Three five-minute experiences", 15, TALK),
                        ("Open discussion", 50, DISCUSSION), ("What we take away", 15, QA)],
    Format.PEER_ASSIST: [("The host team states its challenge", 20, TALK),
                         ("Peers ask questions", 30, QA),
                         ("Peers share what worked", 60, DISCUSSION),
                         ("Options and next steps", 40, BREAKOUT), ("Thanks", 10, MODERATION)],
    Format.FISHBOWL: [("Opening", 10, MODERATION), ("Inner circle", 80, DISCUSSION),
                      ("Harvest", 30, QA)],
    Format.WEBINAR: [("Keynote", 30, TALK), ("Case study from a member utility", 15, TALK),
                     ("Questions", 15, QA)],
    Format.WORKSHOP: [("Framing", 20, TALK), ("Hands-on work in groups", 180, BREAKOUT),
                      ("Report back", 90, DISCUSSION), ("Networking lunch", 60, NETWORKING)],
    Format.STUDY_TOUR: [("Briefing by the host utility", 60, TALK),
                        ("Site visit in small groups", 240, BREAKOUT),
                        ("Questions to the operators", 60, QA),
                        ("Lunch with the host team", 60, NETWORKING),
                        ("What we take home", 60, DISCUSSION)],
    Format.ANNUAL_MEETING: [("Opening speeches", 90, TALK), ("The year in results", 120, TALK),
                            ("Panel of sponsors", 90, TALK), ("Open space", 240, BREAKOUT),
                            ("Dinner", 120, NETWORKING)],
    Format.SOCIAL: [("Water-cooler chat", 60, NETWORKING)],
    Format.OTHER: [("The quarter in numbers", 15, TALK), ("What to keep and change", 45,
                   DISCUSSION)],
}  # fmt: skip
# Where a format's agenda does not fit the topic.
AGENDAS_BY_TITLE = {
    "Webinar: green bonds for water utilities": [("Keynote: green bonds 101", 30, TALK),
                                                 ("Case study: Cape Town", 15, TALK),
                                                 ("Questions", 15, QA)],
}  # fmt: skip


def _starts(planned: Planned, now) -> datetime:
    zone = ZoneInfo(planned.time_zone)
    day = (now + timedelta(days=planned.days)).astimezone(zone).date()
    return datetime.combine(day, time(START_HOUR[planned.mode]), tzinfo=zone)


def _event(community: Community, planned: Planned, now, creator, note_taker) -> Event:
    starts = _starts(planned, now)
    fields = {
        "format": planned.format,
        "mode": planned.mode,
        "place": planned.place,
        "online_url": "" if planned.mode == IN_PERSON else "https://meet.example.org/urban-water",
        "description": DESCRIPTION,
        "time_zone": planned.time_zone,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=planned.hours),
        "capacity": planned.capacity,
        "visibility": planned.visibility,
        "interpretation": planned.interpretation,
        "status": Event.Status.CANCELLED if planned.cancelled else Event.Status.SCHEDULED,
    }
    event, _created = Event.objects.update_or_create(
        community=community,
        title=planned.title,
        defaults=fields,
        create_defaults={**fields, "created_by": creator},
    )
    for code in planned.languages:
        EventLanguage.objects.get_or_create(event=event, code=code)
    if not event.agenda.exists():
        agenda = AGENDAS_BY_TITLE.get(planned.title, AGENDAS.get(planned.format, []))
        AgendaSegment.objects.bulk_create(
            AgendaSegment(event=event, position=position, title=name, minutes=minutes, kind=kind)
            for position, (name, minutes, kind) in enumerate(agenda)
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


def _demo_member_attends(event: Event, member: Membership) -> None:
    """A checked-in seat for the demo member at a past event (also in data seeded before
    they had one). The events chosen have seats to spare."""
    registration = Registration.objects.filter(
        event=event, user_id=member.user_id, status__in=Registration.ACTIVE_STATUSES
    ).first()
    if registration is None:
        registered = event.starts_at - timedelta(days=10)
        Registration.objects.create(
            event=event, user_id=member.user_id, status=Registration.Status.CONFIRMED,
            registered_at=registered, confirmed_at=registered, checked_in_at=event.starts_at,
        )  # fmt: skip
    elif registration.checked_in_at is None:
        registration.checked_in_at = event.starts_at
        registration.save(update_fields=["checked_in_at"])


class Story(NamedTuple):
    """What a past event left behind: its notes, the after-action review's four answers,
    and two action items."""

    notes: str
    expected: str
    happened: str
    difference: str
    sustain_change: str
    actions: tuple[str, str]


STORIES = {
    "Roundtable: leak detection that worked": Story(
        "**Agreed**\n\n"
        "- Three utilities share their leak-detection contracts before the next roundtable.\n"
        "- The Core Group drafts a one-page guide on acoustic loggers.\n\n"
        "**Open questions**\n\n"
        "- Who funds the pilot in Lima? Ask the Water Sector Trust Fund.\n",
        "Twenty members share what worked in leak detection, and agree two pilots.",
        "Fourteen came; the discussion was rich but only one pilot was agreed.",
        "It clashed with a regional conference, and the invitation went out late.",
        "Keep the five-minute openings; send invitations three weeks ahead.",
        ("Share the leak-detection contracts", "Draft the guide on acoustic loggers"),
    ),
    "Study Tour: NEWater and water reuse": Story(
        "**Agreed**\n\n"
        "- Chennai and Lima draft a water reuse pilot brief, with PUB's contacts.\n"
        "- The Core Group puts the tour's questions and PUB's answers on one page.\n\n"
        "**Open questions**\n\n"
        "- How do we win public acceptance before the first glass? PUB offered a call on its "
        "outreach campaign.\n",
        "Twenty members see water reuse at scale and each bring one idea home.",
        "The plant visit ran long, and the session on public acceptance shrank to twenty minutes.",
        "The host added a second plant at short notice and the bus times did not change.",
        "Keep sending the question list a week ahead; protect the hour members asked for most.",
        ("Send PUB's outreach material to Chennai", "Write up the reuse pilot brief"),
    ),
    "Social: water-cooler chat": Story(
        "No agenda, so no decisions, but:\n\n"
        "- Newcomers asked who reads meters by phone: Kofi and Ana offered to show theirs.\n"
        "- The next chat will be in Spanish, at an hour that suits Latin America.\n",
        "Newer members meet a few peers informally, with no slides.",
        "Rooms of four worked; the closing round with everyone dragged.",
        "Too many people for one round of introductions in the last ten minutes.",
        "Keep the rooms of four; drop the closing round and post names in the chat instead.",
        ("Set up a meter-reading demo with Kofi and Ana", "Schedule a chat in Spanish"),
    ),
    "Annual Meeting 2026": Story(
        "**Agreed**\n\n"
        "- Next year's priorities: non-revenue water, drought plans, and customers in "
        "informal settlements.\n"
        "- Every utility has a named peer utility by March.\n\n"
        "**Open questions**\n\n"
        "- Where next year? Lima and Johannesburg offered to host.\n",
        "Members agree the year's three priorities and everyone leaves with a peer utility.",
        "The priorities were agreed, but only half the peer pairs formed on site.",
        "Speeches and the sponsors' panel took three and a half hours; the open space, where "
        "pairs form, shrank.",
        "Sustain the open space; cut the speeches to an hour and record the sponsors' panel.",
        ("Pair the remaining utilities with a peer", "Decide next year's host city"),
    ),
    "Online Discussion: smart meter data and privacy": Story(
        "**Summary of the thread (42 posts)**\n\n"
        "- Most utilities keep hourly readings; two keep 15-minute ones, for leak alarms.\n"
        "- Nobody has a published privacy policy for meter data; Delta Cities shared a draft.\n"
        "\n**Open questions**\n\n"
        "- Must the regulator approve sharing readings with researchers?\n",
        "A week-long thread ends with a shared view of which meter data a utility should keep.",
        "Most of the 42 posts came in the first two days; the summary came a day late.",
        "Nobody nudged the thread after day two, and the summary rested on one moderator.",
        "Post a new question every second day; name a backup moderator for the summary.",
        ("Share Delta Cities' draft privacy policy", "Ask two regulators about research data"),
    ),
    "Peer Assist: Lima's tariff reform": Story(
        "**The challenge**: a tariff that covers costs without losing the poorest customers.\n"
        "\n**Options from peers**\n\n"
        "- A rising block tariff with a lifeline block (Chile, Colombia).\n"
        "- Subsidies targeted through the social registry, not through the tariff.\n"
        "- A two-year path, announced in advance.\n\n"
        "**Next**: Sedapal models the first two on last year's bills.\n",
        "Sedapal leaves with three tested options and a peer to call for each.",
        "Peers offered five options; two were worked through in detail.",
        "Interpretation lagged, and the questions round took twice its time.",
        "Keep the bilingual format; send the host's challenge in both languages a week ahead.",
        ("Model the two options on last year's bills", "Introduce Sedapal to Aguas Andinas"),
    ),
    "Fishbowl: serving informal settlements": Story(
        "**Heard in the circle**\n\n"
        "- Prepaid standpipes worked where the community chose who runs them.\n"
        "- Legal connections fail when the first bill comes before the household can pay.\n\n"
        "**Open questions**\n\n"
        "- What can a utility do where land titles are disputed?\n",
        "Six practitioners open the circle, and members from the outer ring step in.",
        "Only four people took the free chair; most listened.",
        "The inner circle sat on a stage: stepping in felt like going on stage.",
        "One ring of chairs on the floor; the moderator invites the first person in.",
        ("Collect the prepaid standpipe cases", "Find a practitioner on disputed land titles"),
    ),
    "E-Debate: is 20% non-revenue water realistic?": Story(
        '**The motion**: "Every utility can bring non-revenue water below 20% within five '
        'years." 58% voted against.\n\n'
        "- For: the utilities that did it (Manila East, Phnom Penh) began with district "
        "metering.\n"
        "- Against: without a tariff reform, the money for it is not there.\n",
        "Forty members argue the motion over three days; the moderators sum up both sides.",
        "Day two was the liveliest; on day three few people voted.",
        "The vote opened only at the end, and people who spoke early did not come back.",
        "Open the vote on day one and let people change it; keep the daily question.",
        ("Publish the debate summary in the library", "Invite Phnom Penh to a roundtable"),
    ),
    "Webinar: smart meters without the hype": Story(
        "**Asked most**\n\n"
        "- What does a meter cost installed? 60 to 140 USD, depending on how it reports.\n"
        "- How long do batteries last in practice? Eight to twelve years, not fifteen.\n\n"
        "The speaker shares a procurement checklist.\n",
        "Members learn what smart meters deliver, with half the hour for their questions.",
        "The talk ran over; ten minutes were left for questions.",
        "The speaker added a product demonstration that was not on the agenda.",
        "Agree the slides with speakers beforehand; the moderator stops the talk on time.",
        ("Share the procurement checklist", "Take the unanswered questions to a roundtable"),
    ),
    "Workshop: writing a non-revenue water reduction plan": Story(
        "**Output**: six draft plans, one per utility team, on the template attached.\n\n"
        "**Common gaps**\n\n"
        "- Water balances more than three years old.\n"
        "- No budget line for district meters.\n\n"
        "**Next**: a peer utility reviews each draft within a month.\n",
        "Each team leaves with a draft plan on one template.",
        "Five of six teams finished a draft; one spent the day on its water balance.",
        "That team came without its data: the invitation did not say to bring it.",
        "List the data to bring in the invitation; keep the template and the report-back.",
        ("Pair each draft with a reviewing utility", "Add the common gaps to the template"),
    ),
    "Core Team: looking back on the year": Story(
        "- Attendance is up, but a third of the members have come to nothing yet.\n"
        "- Roundtables work; webinars run over.\n\n"
        "**Decided**: a welcome call for newcomers each quarter, and the Core Group checks "
        "every agenda against 75/25 a week ahead.\n",
        "The Core Team agrees what to keep and what to change next year.",
        "Both decisions were made within the hour.",
        "No difference that mattered: the numbers went round a week before.",
        "Keep sending the numbers a week ahead.",
        ("Plan the quarterly welcome call", "Add the agenda check to the checklist"),
    ),
}
# Uploaded files (title, file name, content): a template and a comparison table.
FILES = {
    "Workshop: writing a non-revenue water reduction plan": (
        "Reduction plan template",
        "nrw-reduction-plan-template.md",
        (
            "# Non-revenue water reduction plan\n\n"
            "## 1. Water balance (IWA method, not older than a year)\n\n"
            "## 2. Targets: losses in litres per connection per day\n\n"
            "## 3. Measures: district metering, pressure management, active leak detection\n\n"
            "## 4. Budget and who pays\n\n"
            "## 5. A peer utility that reviews the plan\n"
        ),
    ),
    "Roundtable: leak detection that worked": (
        "Leak-detection contracts compared",
        "leak-detection-contracts.csv",
        (
            "utility,contract,paid for,length (years),losses cut\n"
            "Manila Water,performance-based,water saved,5,38%\n"
            "Aguas Andinas,fixed price,km surveyed,2,12%\n"
            "Ghana Water Company,hybrid,km surveyed and leaks fixed,3,21%\n"
        ),
    ),
}
FEEDBACK_COMMENTS = [
    "Hearing what Lima tried saved us months.",
    "More time for the discussion, please.",
    "The breakout on contracts was the most useful part.",
    "Too much presenting at the start.",
    "Great to meet peers facing the same problems.",
]


def _narrower(first: str, second: str) -> str:
    """Of two visibilities, the one fewer people have (Visibility lists widest first)."""
    return max(first, second, key=Visibility.values.index)


def _file_material(event: Event, organiser, title: str, filename: str, text: str) -> None:
    """An uploaded file, checked as uploads are. Stored under a name that depends only on
    its content (random-looking, like uploads'), written only when missing: seeding one
    new database after another (as test runs do) reuses the file instead of adding one."""
    upload = ContentFile(text.encode(), name=filename)
    check_material_file(upload)
    storage = Material._meta.get_field("file").storage
    digest = uuid.uuid5(uuid.NAMESPACE_URL, f"copsite-demo/{filename}/{text}").hex
    name = f"event-materials/demo/{digest}.{filename.rsplit('.', 1)[-1]}"
    if not storage.exists(name):
        storage.save(name, upload)
    Material.objects.create(
        event=event, title=title, file=name, filename=filename, visibility=MEMBERS,
        added_by=organiser,
    )  # fmt: skip


def _follow_up(event: Event, organiser, owners: list[Membership]) -> None:
    """Notes, a review, materials, action items and feedback for a past event."""
    if FollowUp.objects.filter(event=event).exists():
        return
    story = STORIES[event.title]
    FollowUp.objects.create(
        event=event, notes=story.notes, notes_visibility=_narrower(MEMBERS, event.visibility),
        aar_expected=story.expected, aar_happened=story.happened,
        aar_difference=story.difference, aar_sustain_change=story.sustain_change,
        updated_by=organiser,
    )  # fmt: skip
    links = [("Slides", "slides", event.visibility)]
    if event.mode == IN_PERSON:
        links.append(("Photos", "photos", _narrower(MEMBERS, event.visibility)))
    else:
        links.append(("Recording", "recording", _narrower(MEMBERS, event.visibility)))
    for title, path, visibility in links:
        Material.objects.create(
            event=event, title=title, visibility=visibility, added_by=organiser,
            url=f"https://example.org/urban-water/{slugify(event.title)}/{path}",
        )  # fmt: skip
    if event.title in FILES:
        _file_material(event, organiser, *FILES[event.title])
    rng = random.Random(f"{event.title} follow-up")  # noqa: S311 (demo data)
    for number, (title, owner) in enumerate(zip(story.actions, rng.sample(owners, 2), strict=True)):
        ActionItem.objects.create(
            event=event, title=title, owner=owner.user,
            due_date=(event.ends_at + timedelta(days=14 * (number + 1))).date(),
            done_at=event.ends_at + timedelta(days=7) if number == 0 else None,
        )  # fmt: skip
    attendees = (
        event.registrations.exclude(checked_in_at=None)
        .exclude(user__email=DEMO_MEMBER)  # the demo member's form stays to be filled in
        .order_by("id")
    )
    Feedback.objects.bulk_create(
        Feedback(
            event=event,
            user_id=registration.user_id,
            rating=rng.choice([3, 4, 4, 5, 5]),
            recommend=rng.choice([6, 7, 8, 9, 9, 10, 10]),
            comment=rng.choice(["", *FEEDBACK_COMMENTS]),
        )
        for registration in attendees
        if rng.random() < FEEDBACK_RATE
    )


def _people(event: Event, planned: Planned, members, by_email, rng) -> list[Membership]:
    """Who registers, in order: who may hold a place there, drawn at random, with the demo
    member put where the story needs them."""
    accesses = accesses_for(
        community=event.community, users=[membership.user for membership in members]
    )
    eligible = [m for m in members if rules.may_hold_place(accesses[m.user_id], event)]
    if event.visibility in (CORE, INTERNAL):  # a few people: all of them, in order
        people = eligible
    else:
        people = rng.sample(eligible, k=min(len(eligible), planned.registrants + 5))
    member = by_email[DEMO_MEMBER]
    if event.title == FULL_EVENT:  # the demo member waits, third in line
        people.insert(event.capacity + 2, member)
    if event.title in MEMBER_SEATED:
        people.insert(0, member)
    return people


def _record_participation(community: Community) -> None:
    """Each person checked in took part, as checking them in on the site records it (the
    onboarding funnel and the active members read it): their first and last check-ins,
    through the communities service."""
    spans = (
        Registration.objects.filter(event__community=community)
        .exclude(checked_in_at=None)
        .values("user")
        .annotate(first=Min("checked_in_at"), last=Max("checked_in_at"))
    )
    for span in spans:
        for at in {span["first"], span["last"]}:
            membership_record_participation(community=community, user=span["user"], at=at)


def seed(*, stdout, **options) -> None:
    community = Community.objects.get(slug="urban-water")
    now = timezone.now()
    members = list(
        Membership.objects.active()
        .filter(community=community)
        .exclude(user__email__in=[DEMO_MEMBER, "sponsor@demo.copsite.org"])
        .select_related("user")
        .order_by("id")
    )
    by_email = {
        membership.user.email: membership
        for membership in Membership.objects.filter(
            community=community, user__email__endswith="@demo.copsite.org"
        ).select_related("user")
    }
    creator = by_email["manager@demo.copsite.org"].user
    note_taker = by_email["champion@demo.copsite.org"].user
    registered = set(
        Registration.objects.filter(event__community=community).values_list("event", flat=True)
    )
    rows, events = [], {}
    for planned in EVENTS:
        event = _event(community, planned, now, creator, note_taker)
        events[event.title] = event
        if event.pk in registered:
            continue
        rng = random.Random(event.title)  # noqa: S311 (demo data)
        people = _people(event, planned, members, by_email, rng)
        rows += _registrations(event, people, planned.registrants, rng, now)
    Registration.objects.bulk_create(rows, ignore_conflicts=True)
    for title in MEMBER_ATTENDED:
        _demo_member_attends(events[title], by_email[DEMO_MEMBER])
    _record_participation(community)
    core = {Membership.Tier.CORE_GROUP, Membership.Tier.CORE_TEAM}
    owners = [membership for membership in members if membership.tier in core]
    for event in Event.objects.filter(community=community, ends_at__lt=now, title__in=STORIES):
        _follow_up(event, creator, owners)
    count = Registration.objects.filter(event__community=community).count()
    stdout.write(
        f"events: {len(EVENTS)} events in Urban Water Practitioners (every format past and "
        f"upcoming, one full with a waiting list, one cancelled) and {count} registrations"
    )
