import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from communities.models import Community, Membership, RoleAssignment
from copsite.rows import Columns
from events import rules
from events.models import (
    ActionItem,
    AgendaSegment,
    CalendarToken,
    ChecklistItem,
    Event,
    EventLanguage,
    Feedback,
    FollowUp,
    Material,
    Registration,
    Visibility,
)

# Every column of an event, for the statements that read one on every event page (with the
# community and the person's standing: communities.decorators.community_view) and while one
# is locked (registration).
EVENT_COLUMNS = Columns(Event, "e")


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
        ),
    )


def event_languages_in_use(*, access) -> list[tuple[str, str]]:
    """The languages of the events this person may see in the community (past or upcoming),
    by name: the list's language filter offers only what can match."""
    codes = (
        EventLanguage.objects.filter(
            event__community=access.community,
            event__visibility__in=rules.visibilities_for(access),
        )
        .values_list("code", flat=True)
        .distinct()
    )
    names = dict(EventLanguage._meta.get_field("code").choices)
    return sorted(((code, str(names.get(code, code))) for code in codes), key=lambda c: c[1])


def event_list(
    *,
    access,
    when: str = "upcoming",
    format: str = "",  # noqa: A002 (the field's name)
    mode: str = "",
    language: str = "",
    now=None,
) -> QuerySet[Event]:
    """A community's upcoming (or past) events this person may see, with seat counts and
    whether the viewer holds a registration."""
    events = Event.objects.filter(community=access.community).visible_at(
        rules.visibilities_for(access)
    )
    events = events.past(now) if when == "past" else events.upcoming(now)
    if format:
        events = events.filter(format=format)
    if mode:
        events = events.filter(mode=mode)
    if language:
        events = events.filter(
            Exists(EventLanguage.objects.filter(event=OuterRef("pk"), code=language))
        )
    events = _with_counts(events).prefetch_related("languages")
    if access.is_authenticated:
        events = events.annotate(
            my_status=Registration.objects.filter(
                event=OuterRef("pk"), user=access.user, status__in=Registration.ACTIVE_STATUSES
            ).values("status")[:1]
        )
    return events


def event_seats(*, event: Event) -> dict[str, int]:
    counts = dict(
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .values_list("status")
        .annotate(number=Count("id"))
        .values_list("status", "number")
    )
    return {
        "confirmed": counts.get(Registration.Status.CONFIRMED, 0),
        "waiting": counts.get(Registration.Status.WAITING, 0),
    }


def registration_for(*, event: Event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(
        event=event, user=user, status__in=Registration.ACTIVE_STATUSES
    ).first()


def waiting_position(*, registration: Registration) -> int:
    """1 for the head of the waiting list."""
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITING
    ).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, id__lt=registration.pk)
    )
    return ahead.count() + 1


def active_registration(*, event: Event, pk: int) -> Registration | None:
    """Registration `pk` if it is an active one (confirmed or waiting) for this event, with
    its person: what the roster and check-in act on. None for anything else, such as an id
    from another event."""
    registration = (
        Registration.objects.select_related("user")
        .filter(pk=pk, event=event, status__in=Registration.ACTIVE_STATUSES)
        .first()
    )
    if registration is not None:
        registration.event = event
    return registration


def event_roster(*, event: Event) -> dict[str, QuerySet[Registration]]:
    """Who holds a seat (in the order they got it) and who waits (in queue order), as
    queries for the roster's pages."""
    active = Registration.objects.filter(
        event=event, status__in=Registration.ACTIVE_STATUSES
    ).select_related("user")
    return {
        "confirmed": active.filter(status=Registration.Status.CONFIRMED).order_by(
            "confirmed_at", "id"
        ),
        "waiting": active.filter(status=Registration.Status.WAITING).order_by(
            "waiting_since", "id"
        ),
    }


def my_registrations(*, user, when: str = "upcoming", now=None) -> QuerySet[Registration]:
    """A person's active registrations across communities, for events they may still see:
    the rules of `events.rules.visibilities_for`, as a query (a member who left, or an
    external member, loses members-only events)."""
    now = now or timezone.now()
    known = Membership.objects.filter(
        community=OuterRef("event__community"),
        user=user,
        status__in=Membership.KNOWN_STATUSES,
    )
    standing = known.filter(status=Membership.Status.ACTIVE)
    sponsor = RoleAssignment.objects.filter(
        community=OuterRef("event__community"), holder=user, role=RoleAssignment.Role.SPONSOR
    )
    core = (Membership.Tier.CORE_GROUP, Membership.Tier.CORE_TEAM)
    # A private community's events are for the people it knows (invited, asking to join,
    # members) and its sponsors; members' events for members and sponsors.
    open_community = (
        ~Q(event__community__visibility=Community.Visibility.PRIVATE)
        | Q(known=True)
        | Q(sponsor=True)
    )
    visible = open_community & (
        Q(event__visibility=Visibility.PUBLIC)
        | Q(event__visibility=Visibility.MEMBERS, member=True)
        | Q(event__visibility=Visibility.MEMBERS, sponsor=True)
        | Q(event__visibility=Visibility.INTERNAL, internal=True)
        | Q(core=True)
    )
    registrations = (
        Registration.objects.filter(user=user, status__in=Registration.ACTIVE_STATUSES)
        .annotate(
            known=Exists(known),
            sponsor=Exists(sponsor),
            member=Exists(standing),
            internal=Exists(standing.filter(Q(is_internal=True) | Q(tier__in=core))),
            core=Exists(standing.filter(tier__in=core)),
        )
        .filter(visible)
        .select_related("event__community")
    )
    if when == "past":
        return registrations.filter(event__ends_at__lt=now).order_by("-event__starts_at", "-id")
    return registrations.filter(event__ends_at__gte=now).order_by("event__starts_at", "id")


# The Toolkit's 75/25 rule: at most a quarter of the agenda for presentations.
MAX_PRESENTATION_SHARE = 25


@dataclass(frozen=True)
class AgendaSummary:
    segments: list[AgendaSegment]
    interaction_minutes: int
    presentation_minutes: int
    event_minutes: int

    @property
    def total_minutes(self) -> int:
        return self.interaction_minutes + self.presentation_minutes

    @property
    def presentation_share(self) -> int:
        """Percent of agenda time spent on presentations (0 for an empty agenda)."""
        if not self.total_minutes:
            return 0
        return round(100 * self.presentation_minutes / self.total_minutes)

    @property
    def interaction_share(self) -> int:
        return 100 - self.presentation_share if self.total_minutes else 0

    @property
    def breaks_75_25(self) -> bool:
        return self.presentation_minutes * 100 > MAX_PRESENTATION_SHARE * self.total_minutes

    @property
    def _hides_breach(self) -> bool:
        """Whole percents would show a broken rule as 25%."""
        return self.breaks_75_25 and self.presentation_share <= MAX_PRESENTATION_SHARE

    def _label(self, share: int, minutes: int, rounding) -> str:
        """A share as the page says it: a whole percent, or tenths where whole percents
        would hide that the rule is broken (25.4%, not 25%), rounded away from the rule."""
        if not self._hides_breach:
            return str(share)
        return number_format(rounding(1000 * minutes / self.total_minutes) / 10, 1)

    @property
    def presentation_label(self) -> str:
        return self._label(self.presentation_share, self.presentation_minutes, math.ceil)

    @property
    def interaction_label(self) -> str:
        return self._label(self.interaction_share, self.interaction_minutes, math.floor)

    @property
    def overruns(self) -> bool:
        return self.total_minutes > self.event_minutes

    @property
    def warnings(self) -> list[str]:
        warnings = []
        if self.breaks_75_25:
            warnings.append(
                _(
                    "Presentations take %(share)s%% of the agenda. The 75/25 rule keeps them "
                    "to 25%% at most: turn a talk into a discussion, Q&A or breakout."
                )
                % {"share": self.presentation_label}
            )
        if self.overruns:
            warnings.append(
                _("The agenda runs %(agenda)s minutes, longer than the event's %(event)s minutes.")
                % {"agenda": self.total_minutes, "event": self.event_minutes}
            )
        return warnings


def agenda_summary(*, event: Event, segments: list[AgendaSegment] | None = None) -> AgendaSummary:
    if segments is None:
        segments = list(AgendaSegment.objects.filter(event=event))
    interaction = sum(segment.minutes for segment in segments if segment.is_interaction)
    presentation = sum(segment.minutes for segment in segments if not segment.is_interaction)
    return AgendaSummary(
        segments=segments,
        interaction_minutes=interaction,
        presentation_minutes=presentation,
        event_minutes=int((event.ends_at - event.starts_at).total_seconds() // 60),
    )


@dataclass(frozen=True)
class ChecklistPhase:
    phase: str
    label: str
    items: list[ChecklistItem]


def checklist_for(*, event: Event) -> list[ChecklistPhase]:
    """The checklist in phase order, each phase's items by due date."""
    items = list(
        ChecklistItem.objects.filter(event=event)
        .select_related("assignee", "done_by")
        .order_by("due_days", "position", "id")
    )
    for item in items:
        item.event = event  # due dates read the event's times
    return [
        ChecklistPhase(phase, label, [item for item in items if item.phase == phase])
        for phase, label in ChecklistItem.Phase.choices
    ]


def my_open_tasks(*, access, limit: int = 5) -> list[ChecklistItem]:
    """Checklist items assigned to this person in this community and not done yet, for
    events that are not cancelled, soonest first."""
    return list(
        ChecklistItem.objects.filter(
            assignee=access.user,
            done_at__isnull=True,
            event__community=access.community,
            event__status=Event.Status.SCHEDULED,
            event__visibility__in=rules.visibilities_for(access),
        )
        .select_related("event")
        .order_by("event__starts_at", "due_days", "id")[:limit]
    )


def checklist_progress(*, event: Event) -> dict[str, int]:
    items = ChecklistItem.objects.filter(event=event)
    return {"done": items.filter(done_at__isnull=False).count(), "total": items.count()}


def my_tasks_for(*, event: Event, user) -> list[ChecklistItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    tasks = list(ChecklistItem.objects.filter(event=event, assignee=user).order_by("due_days"))
    for task in tasks:
        task.event = event
    return tasks


def check_in_list(*, event: Event, search: str = "") -> QuerySet[Registration]:
    """The people who may be checked in (a seat, or waiting and came anyway), by name."""
    registrations = (
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .select_related("user")
        .order_by("user__display_name", "user__email", "id")
    )
    for word in search.split()[:5]:
        registrations = registrations.filter(
            Q(user__display_name__icontains=word) | Q(user__email__istartswith=word)
        )
    return registrations


def attendance(*, event: Event) -> dict:
    """Who came. The rate is the share of confirmed seats whose holder came, in percent
    (None while nobody has a seat); people who came from the waiting list count apart."""
    confirmed_status = Q(status=Registration.Status.CONFIRMED)
    came = Q(checked_in_at__isnull=False)
    counts = Registration.objects.filter(
        event=event, status__in=Registration.ACTIVE_STATUSES
    ).aggregate(
        confirmed=Count("id", filter=confirmed_status),
        present=Count("id", filter=confirmed_status & came),
        from_waiting_list=Count("id", filter=Q(status=Registration.Status.WAITING) & came),
    )
    confirmed = counts["confirmed"]
    return {
        **counts,
        "rate": round(100 * counts["present"] / confirmed) if confirmed else None,
    }


def materials_for(*, event: Event, access) -> list[Material]:
    return list(Material.objects.filter(event=event, visibility__in=rules.visibilities_for(access)))


def action_items_for(*, event: Event) -> list[ActionItem]:
    return list(ActionItem.objects.filter(event=event).select_related("owner"))


def follow_up_of(*, event: Event) -> FollowUp | None:
    return FollowUp.objects.filter(event=event).first()


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average_rating: float | None
    nps: int | None  # % promoters (9-10) minus % detractors (0-6), -100 to 100
    promoters: int
    passives: int
    detractors: int
    comments: QuerySet[Feedback]  # the newest first; a page at a time


def feedback_of(*, event: Event, user) -> Feedback | None:
    """The feedback this person gave on this event, if any."""
    return Feedback.objects.filter(event=event, user=user).first()


def feedback_summary(*, event: Event) -> FeedbackSummary:
    """The attendees' feedback for the organisers. NPS the standard way."""
    totals = Feedback.objects.filter(event=event).aggregate(
        count=Count("id"),
        average=Avg("rating"),
        promoters=Count("id", filter=Q(recommend__gte=9)),
        detractors=Count("id", filter=Q(recommend__lte=6)),
    )
    count = totals["count"]
    nps = round(100 * (totals["promoters"] - totals["detractors"]) / count) if count else None
    return FeedbackSummary(
        count=count,
        average_rating=round(totals["average"], 1) if count else None,
        nps=nps,
        promoters=totals["promoters"],
        passives=count - totals["promoters"] - totals["detractors"],
        detractors=totals["detractors"],
        comments=Feedback.objects.filter(event=event)
        .exclude(comment="")
        .order_by("-updated_at", "-id"),
    )


# Calendar feeds reach this far back, so recent events stay in subscribed calendars.
FEED_PAST_DAYS = 90


def feed_events(*, community, visibilities, now=None) -> QuerySet[Event]:
    since = (now or timezone.now()) - timedelta(days=FEED_PAST_DAYS)
    return (
        Event.objects.filter(community=community, visibility__in=visibilities, ends_at__gte=since)
        .select_related("community")
        .order_by("starts_at", "id")
    )


def feed_registrations(*, user, now=None) -> QuerySet[Registration]:
    """A person's feed: the events they hold a registration for (that they may still see),
    recent and upcoming."""
    since = (now or timezone.now()) - timedelta(days=FEED_PAST_DAYS)
    return (
        my_registrations(user=user, when="upcoming", now=since)
        .select_related("event__community")
        .order_by("event__starts_at", "id")
    )


def calendar_link(*, token: str, community_slug: str | None = None) -> CalendarToken | None:
    """The live calendar link with this token, with its owner: a community's private feed
    (`community_slug`) or, without one, the owner's personal feed."""
    links = CalendarToken.objects.filter(token=token, revoked_at__isnull=True)
    if community_slug is None:
        links = links.filter(community__isnull=True)
    else:
        links = links.filter(community__slug=community_slug)
    return links.select_related("user").first()


def calendar_links(*, user) -> dict[int | None, CalendarToken]:
    """A person's live calendar links by community id (None: their personal feed)."""
    return {
        link.community_id: link
        for link in CalendarToken.objects.filter(user=user, revoked_at__isnull=True).select_related(
            "community"
        )
    }


def calendar_communities(*, user) -> list[Community]:
    """The communities a person may have a private feed of: those they are a member of."""
    return list(
        Community.objects.filter(
            memberships__user=user, memberships__status=Membership.Status.ACTIVE
        ).order_by("name")
    )
