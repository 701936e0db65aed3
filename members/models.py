import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from communities.models import WORKING_LANGUAGES


def photo_path(profile: "Profile", filename: str) -> str:
    # A random name: photo URLs cannot be guessed from a user id.
    return f"photos/{uuid.uuid4().hex}.jpg"


class Profile(models.Model):
    """What members tell each other about themselves, shared across their communities.

    The personal settings (display name, organisation, country, time zone, language) live
    on accounts.User; this adds what the directory shows and searches.
    """

    class AgeRange(models.TextChoices):
        UNDER_25 = "under_25", _("Under 25")
        FROM_25 = "25_34", _("25 to 34")
        FROM_35 = "35_44", _("35 to 44")
        FROM_45 = "45_54", _("45 to 54")
        FROM_55 = "55_64", _("55 to 64")
        FROM_65 = "65_plus", _("65 or over")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="member_profile",
        verbose_name=_("user"),
    )
    bio = models.TextField(_("about me"), max_length=2000, blank=True)
    expertise = models.JSONField(_("expertise"), default=list, blank=True)
    # The codes of ProfileLanguage, copied here so that lists show them without a query.
    languages = models.JSONField(_("languages"), default=list, blank=True, editable=False)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    age_range = models.CharField(
        _("age range"), max_length=10, choices=AgeRange.choices, blank=True
    )
    show_email = models.BooleanField(_("show my email to other members"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_complete(self) -> bool:
        """Complete enough for peers to find and recognise you."""
        return bool(self.user.profile_complete and self.expertise and self.bio)


class ProfileLanguage(models.Model):
    """A language a person speaks: one row per language, so the directory can filter on it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="spoken_languages",
        verbose_name=_("user"),
    )
    code = models.CharField(_("language"), max_length=10, choices=WORKING_LANGUAGES)

    class Meta:
        verbose_name = _("spoken language")
        verbose_name_plural = _("spoken languages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="members_language_once"),
        ]
        indexes = [models.Index(fields=["code", "user"], name="members_language_code_idx")]

    def __str__(self) -> str:
        return self.get_code_display()


def default_checklist() -> list[dict]:
    return [
        {"key": "profile", "title": str(_("Complete your profile"))},
        {"key": "introduce", "title": str(_("Introduce yourself"))},
        {"key": "survey", "title": str(_("Answer the needs survey"))},
        {"key": "first_event", "title": str(_("Attend a first event"))},
    ]


class Wave(models.Model):
    """A small group invited together, so that its members get to know each other."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="waves",
        verbose_name=_("community"),
    )
    name = models.CharField(_("name"), max_length=120)
    planned_date = models.DateField(_("planned date"))
    welcome_message = models.TextField(
        _("welcome message"),
        max_length=4000,
        blank=True,
        help_text=_("Goes in every invitation of this wave."),
    )
    # A list of items, each a key (profile, introduce, survey, first_event or custom-N) and
    # its title.
    checklist = models.JSONField(_("onboarding checklist"), default=default_checklist)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("onboarding wave")
        verbose_name_plural = _("onboarding waves")
        ordering = ["-planned_date", "-pk"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """An invitation to one address: a single-use link that expires, resendable, revocable.

    Only a hash of the token is stored: a database leak does not leak working links.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    # Still waiting for an answer: one such invitation per address and community.
    OPEN = (Status.PENDING, Status.SENT)

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("community"),
    )
    wave = models.ForeignKey(
        Wave,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        verbose_name=_("wave"),
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    is_internal = models.BooleanField(_("internal"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    membership = models.ForeignKey(
        "communities.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        verbose_name=_("membership"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["email"]
        constraints = [
            # One open invitation per address and community (after a revoke, an acceptance
            # and leaving, the person can be invited again).
            models.UniqueConstraint(
                "community",
                Lower("email"),
                condition=models.Q(status__in=["pending", "sent"]),
                name="members_one_open_invitation",
            ),
        ]
        indexes = [models.Index(fields=["wave", "status"], name="members_invitation_wave_idx")]

    def __str__(self) -> str:
        return f"{self.email} to {self.community}"


class ChecklistTick(models.Model):
    """A checklist item a member ticked themselves (the others are computed from data)."""

    membership = models.ForeignKey(
        "communities.Membership", on_delete=models.CASCADE, related_name="checklist_ticks"
    )
    key = models.CharField(max_length=40)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "key"], name="members_tick_once"),
        ]

    def __str__(self) -> str:
        return self.key


class NeedsQuestion(models.Model):
    """A question of the community's member-needs survey, written by the Core Team."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Free text")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        SCALE = "scale", _("Scale from 1 to 5")

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="needs_questions",
        verbose_name=_("community"),
    )
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("needs survey question")
        verbose_name_plural = _("needs survey questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class NeedsAnswer(models.Model):
    """One member's answer to one question: text, a choice, a list of choices or 1-5."""

    question = models.ForeignKey(NeedsQuestion, on_delete=models.CASCADE, related_name="answers")
    membership = models.ForeignKey(
        "communities.Membership", on_delete=models.CASCADE, related_name="needs_answers"
    )
    value = models.JSONField(_("answer"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("needs survey answer")
        verbose_name_plural = _("needs survey answers")
        constraints = [
            models.UniqueConstraint(fields=["question", "membership"], name="members_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
