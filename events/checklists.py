"""The Toolkit's before / during / after checklist, with defaults per format."""

from django.utils.translation import gettext_lazy as _

from events.models import ChecklistItem, Format

BEFORE, DURING, AFTER = (
    ChecklistItem.Phase.BEFORE,
    ChecklistItem.Phase.DURING,
    ChecklistItem.Phase.AFTER,
)

# (phase, task, due days): before the start when negative, after the end when positive.
COMMON = [
    (BEFORE, _("Invitations sent"), -14),
    (BEFORE, _("Promotion: newsletter, social media, partners"), -7),
    (BEFORE, _("Note-taker assigned"), -3),
    (DURING, _("Introductions: everyone says who they are"), 0),
    (DURING, _("Notes taken"), 0),
    (AFTER, _("Feedback requested from attendees"), 1),
    (AFTER, _("Action items recorded, each with an owner and a date"), 2),
    (AFTER, _("Materials and recording posted"), 3),
]
BY_FORMAT = {
    Format.PEER_ASSIST: [(BEFORE, _("The host team's challenge written down and shared"), -7)],
    Format.FISHBOWL: [(BEFORE, _("Inner circle invited; a free chair kept"), -7)],
    Format.E_DEBATE: [(DURING, _("A question posted each day; a summary at the close"), 0)],
    Format.ONLINE_DISCUSSION: [(DURING, _("Moderator opens, nudges and summarises"), 0)],
    Format.WEBINAR: [
        (BEFORE, _("Speakers briefed: short talks, most of the time for questions"), -5),
        (DURING, _("Recording started"), 0),
    ],
    Format.WORKSHOP: [(BEFORE, _("Materials and breakout groups prepared"), -5)],
    Format.STUDY_TOUR: [(BEFORE, _("Travel, visits and hosts arranged"), -30)],
    Format.ANNUAL_MEETING: [
        (BEFORE, _("Venue, budget and agenda agreed with the sponsor"), -60),
        (AFTER, _("Report on the year shared with sponsors"), 14),
    ],
}
# A social has no notes, materials or action items to chase.
SKIPPED = {
    Format.SOCIAL: {
        _("Note-taker assigned"),
        _("Notes taken"),
        _("Action items recorded, each with an owner and a date"),
        _("Materials and recording posted"),
    },
}
PHASE_ORDER = {BEFORE: 0, DURING: 1, AFTER: 2}


def default_items(format_: str) -> list[tuple[str, str, int]]:
    """The default checklist of a format, in phase and date order."""
    skipped = {str(task) for task in SKIPPED.get(format_, set())}
    items = [
        (phase, str(task), days)
        for phase, task, days in [*COMMON, *BY_FORMAT.get(format_, [])]
        if str(task) not in skipped
    ]
    return sorted(items, key=lambda item: (PHASE_ORDER[item[0]], item[2]))
