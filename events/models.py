import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from communities.models import WORKING_LANGUAGES, Community


class Format(models.TextChoices):
    """The Toolkit's event formats."""

    ROUNDTABLE = "roundtable", _("Community Roundtable")
    PEER_ASSIST = "peer_assist", _("Peer Assist")
    FISHBOWL = "fishbowl", _("Fishbowl")
    E_DEBATE = "e_debate", _("E-Debate")
    ONLINE_DISCUSSION = "online_discussion", _("Online Discussion")
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    STUDY_TOUR = "study_tour", _("Study Tour")
    SOCIAL = "social", _("Social (water-cooler)")
    ANNUAL_MEETING = "annual_meeting", _("Annual Meeting")
    OTHER = "other", _("Other")


# A short how-to per format, shown on the event form (from the Toolkit's event guidance).
FORMAT_HINTS = {
    Format.ROUNDTABLE: _(
        "A few members share short experiences on one question, then everyone discusses. "
        "Keep the openings to five minutes each."
    ),
    Format.PEER_ASSIST: _(
        "A team with a challenge asks peers who have faced it before. State the problem "
        "first, listen, and leave with options rather than a lecture."
    ),
    Format.FISHBOWL: _(
        "A small inner circle talks while the rest listen; a free chair lets anyone step in. "
        "Rotate people through the circle."
    ),
    Format.E_DEBATE: _(
        "An online debate over days on a motion: moderators post a question each day and "
        "summarise the arguments at the end."
    ),
    Format.ONLINE_DISCUSSION: _(
        "An asynchronous thread on one topic, with a moderator who opens, nudges and closes "
        "it with a summary."
    ),
    Format.WEBINAR: _(
        "A short talk online: keep the presentation brief and leave most of the time for "
        "questions and discussion."
    ),
    Format.WORKSHOP: _(
        "Hands-on work in small groups towards a concrete output; plan breakouts and a report-back."
    ),
    Format.STUDY_TOUR: _(
        "Visit a project or peer organisation; prepare questions beforehand and share what "
        "you learned afterwards."
    ),
    Format.SOCIAL: _("An informal get-together so members know each other: no slides."),
    Format.ANNUAL_MEETING: _(
        "The yearly gathering: review the year, celebrate results and plan ahead together."
    ),
    Format.OTHER: _("Say in the description what will happen and what members get from it."),
}


class Visibility(models.TextChoices):
    """Who may see an event (SPEC: Confidentiality), from widest to narrowest."""

    PUBLIC = "public", _("Public: anyone who can see the community")
    MEMBERS = "members", _("Members")
    INTERNAL = "internal", _("Internal members only (the Core Group and Core Team see it too)")
    CORE = "core", _("Core Group and Core Team only")


class EventQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "id")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-id")

    def visible_at(self, visibilities):
        return self.filter(visibility__in=visibilities)


class Event(models.Model):
    """An event of a community.

    On PostgreSQL its table also has `confirmed_seats`, the number of confirmed
    registrations, kept by triggers on the registrations table and read only by the
    registration statement (events/migrations/0006_seat_counter.py). It is not a field, so
    that no `save()` can write a stale number over it.

    `audience_version` goes up on every upcoming event of a community when someone's
    standing there narrows (or everyone's: it turned private), before their places are
    withdrawn. A registration checked against an older number checks the person's access
    again (events.services). `save()` never writes it: only that one UPDATE does.
    """

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="events"
    )
    # The iCalendar UID: stays the same across edits, so calendars update the entry.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, max_length=10_000, help_text=_("Markdown.")
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("Address or room, for in person.")
    )
    online_url = models.URLField(
        _("meeting link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to people with a confirmed seat."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
        # With none, everyone would wait for a seat that never comes.
        validators=[
            MinValueValidator(
                1, message=_("An event needs at least one seat. Leave it empty for no limit.")
            )
        ],
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: open now.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Empty: when the event starts."),
    )
    visibility = models.CharField(
        _("who may see it"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    interpretation = models.BooleanField(_("interpretation provided"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # iCalendar SEQUENCE: goes up on every edit that calendars must pick up.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    audience_version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="events_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "visibility", "ends_at"], name="event_list_idx"),
            models.Index(fields=["community", "starts_at"], name="event_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, force_insert=False, update_fields=None, **kwargs):
        # Never `audience_version` in an UPDATE: a number read before someone's standing
        # narrowed, written back, would let a registration checked with their old standing
        # through. (A new row is written whole.)
        if update_fields is not None:
            update_fields = [name for name in update_fields if name != "audience_version"]
        elif self.pk is not None and not self._state.adding and not force_insert:
            deferred = self.get_deferred_fields()
            update_fields = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname != "audience_version"
                and field.attname not in deferred
            ]
        super().save(*args, force_insert=force_insert, update_fields=update_fields, **kwargs)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def format_hint(self) -> str:
        return FORMAT_HINTS.get(self.format, "")

    @property
    def registration_closes(self):
        """When registration closes: its own date, and never after the start."""
        if self.registration_closes_at is None:
            return self.starts_at
        return min(self.registration_closes_at, self.starts_at)

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.is_cancelled or now >= self.registration_closes:
            return False
        return self.registration_opens_at is None or now >= self.registration_opens_at

    @property
    def has_place(self) -> bool:
        return self.mode in (self.Mode.IN_PERSON, self.Mode.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)


class EventLanguage(models.Model):
    """A language the event is held in (a row each, so lists can filter on it)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=10, choices=WORKING_LANGUAGES)

    class Meta:
        verbose_name = _("event language")
        verbose_name_plural = _("event languages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="events_language_once"),
        ]
        indexes = [models.Index(fields=["code", "event"], name="event_language_code_idx")]

    def __str__(self) -> str:
        return self.get_code_display()


class Registration(models.Model):
    """A person's place at an event: a confirmed seat, a place on the waiting list, or a
    cancelled one (kept, for history and attendance figures)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITING)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    # The waiting list's order: when the person joined it (moved to its head, earlier than
    # everyone, when a capacity cut takes their seat).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # At most one active registration per person and event, whatever the concurrency.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="events_one_active_registration",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waiting_since"], name="event_reg_queue_idx"),
            models.Index(fields=["user", "status"], name="event_reg_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.event} ({self.status})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING


class AgendaSegment(models.Model):
    """One part of an event's agenda. The 75/25 rule: at least 75% of agenda time should be
    member interaction, at most 25% presentation."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        BREAKOUT = "breakout", _("Breakout groups")
        QA = "qa", _("Questions and answers")
        NETWORKING = "networking", _("Networking")
        PRESENTATION = "presentation", _("Presentation (speakers)")
        MODERATION = "moderation", _("Moderators' introduction or wrap-up")

    INTERACTION_KINDS = (Kind.DISCUSSION, Kind.BREAKOUT, Kind.QA, Kind.NETWORKING)
    PRESENTATION_KINDS = (Kind.PRESENTATION, Kind.MODERATION)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    people = models.CharField(
        _("speakers or moderators"), max_length=300, blank=True, help_text=_("Optional.")
    )

    class Meta:
        verbose_name = _("agenda segment")
        verbose_name_plural = _("agenda segments")
        ordering = ["event", "position", "id"]
        indexes = [models.Index(fields=["event", "position"], name="event_agenda_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.minutes} min)"

    @property
    def is_interaction(self) -> bool:
        return self.kind in self.INTERACTION_KINDS


class ChecklistItem(models.Model):
    """A task before, during or after an event, optionally someone's, due relative to the
    event: `due_days` before the start (negative), on the day (0), or after the end."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        DURING = "during", _("During")
        AFTER = "after", _("After")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="checklist"
    )
    phase = models.CharField(_("when"), max_length=6, choices=Phase.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("task"), max_length=200)
    due_days = models.SmallIntegerField(
        _("due (days)"),
        default=0,
        validators=[MinValueValidator(-365), MaxValueValidator(365)],
        help_text=_(
            "Before: days before the start (a negative number, or 0). During: days from the "
            "start. After: days after the end."
        ),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_tasks",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["event", "position", "id"]
        indexes = [
            models.Index(fields=["event", "position"], name="event_checklist_idx"),
            models.Index(fields=["assignee", "done_at"], name="event_task_assignee_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.due_days is None:
            return
        if self.phase == self.Phase.BEFORE and self.due_days > 0:
            message = _("A task before the event is due by its start: use 0 or a negative number.")
        elif self.phase == self.Phase.DURING and self.due_days < 0:
            message = _("A task during the event is due from its start: use 0 or more days.")
        elif self.phase == self.Phase.AFTER and self.due_days < 0:
            message = _("A task after the event is due once it ends: use 0 or more days.")
        else:
            return
        raise ValidationError({"due_days": message})

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def due_at(self):
        """Before and during: counted from the start; after: from the end."""
        anchor = self.event.ends_at if self.phase == self.Phase.AFTER else self.event.starts_at
        return anchor + timedelta(days=self.due_days)

    def is_overdue(self, now=None) -> bool:
        return not self.is_done and self.due_at < (now or timezone.now())


def material_path(material: "Material", filename: str) -> str:
    # A random name: the stored path says nothing, and files are served only through a view
    # that checks who may see them.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"event-materials/{material.event_id}/{uuid.uuid4().hex}.{extension}"


class Material(models.Model):
    """Something shared after (or before) an event: a link, or an uploaded file."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=material_path, blank=True, max_length=200)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    visibility = models.CharField(
        _("who may see it"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["event", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="events_material_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FollowUp(models.Model):
    """After the event: the notes, and the after-action review's four questions."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="follow_up"
    )
    notes = models.TextField(_("notes"), blank=True, max_length=50_000, help_text=_("Markdown."))
    notes_visibility = models.CharField(
        _("who may read the notes"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    aar_expected = models.TextField(_("What was supposed to happen?"), blank=True, max_length=5000)
    aar_happened = models.TextField(_("What actually happened?"), blank=True, max_length=5000)
    aar_difference = models.TextField(_("Why was there a difference?"), blank=True, max_length=5000)
    aar_sustain_change = models.TextField(
        _("What will we sustain or change?"), blank=True, max_length=5000
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"Follow-up of {self.event}"

    @property
    def has_review(self) -> bool:
        return any(
            (self.aar_expected, self.aar_happened, self.aar_difference, self.aar_sustain_change)
        )


class ActionItem(models.Model):
    """Something to do after the event, with an owner and a date. The planning app turns
    these into activities of the action plan (it links to them by this row's id)."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="event_action_items",
    )
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["event", "due_date", "id"]
        indexes = [models.Index(fields=["owner", "done_at"], name="event_action_owner_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Feedback(models.Model):
    """An attendee's feedback: a 1-5 rating, 'would you recommend this community to a
    colleague?' 0-10, and free text. One per person and event; they may edit it."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("How useful was this event?"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    recommend = models.PositiveSmallIntegerField(
        _("How likely are you to recommend this community to a colleague?"),
        validators=[MaxValueValidator(10)],
    )
    comment = models.TextField(_("Anything else?"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5, recommend__lte=10),
                name="events_feedback_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.event}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a calendar subscription URL. Without a community: the person's own feed
    (the events they registered for); with one: every event of that community they may see.
    Revoking ends the URL; a new token makes a new one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        constraints = [
            # One live link per person and community, and one for their own feed.
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(revoked_at__isnull=True),
                name="events_one_live_community_calendar",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True, community__isnull=True),
                name="events_one_live_personal_calendar",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar link of {self.user}"
