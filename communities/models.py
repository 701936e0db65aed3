from django.conf import global_settings, settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

# Words a community address may not take: they are, or may become, the site's own paths.
RESERVED_SLUGS = frozenset(
    {
        "new",
        "admin",
        "api",
        "accounts",
        "profile",
        "i18n",
        "healthz",
        "static",
        "media",
        "communities",
        "community",
        "invitations",
        "events",
        "my",
        "me",
        "help",
        "about",
        "login",
        "logout",
        "signup",
        "settings",
        "search",
        "feeds",
        "calendar",
        "dashboard",
        "unsubscribe",
        "www",
    }
)

# The languages a community may work in: every language Django knows.
WORKING_LANGUAGES = global_settings.LANGUAGES


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is reserved by the site. Choose another address."),
            params={"value": value},
            code="reserved_slug",
        )


class CommunityQuerySet(models.QuerySet):
    def listed(self):
        """Communities anyone may find: the public ones."""
        return self.filter(visibility=Community.Visibility.PUBLIC)

    def listed_for(self, user):
        """What a person may find in the list: public communities and their own, whatever
        their visibility (as a member, an invitee, a requester or a sponsor), annotated
        with `is_mine`."""
        if not user.is_authenticated:
            return self.listed().annotate(is_mine=models.Value(value=False))
        mine = Q(
            Exists(
                Membership.objects.filter(
                    community=OuterRef("pk"), user=user, status__in=Membership.KNOWN_STATUSES
                )
            )
        ) | Q(
            Exists(
                RoleAssignment.objects.filter(
                    community=OuterRef("pk"), holder=user, role=RoleAssignment.Role.SPONSOR
                )
            )
        )
        return self.annotate(is_mine=models.ExpressionWrapper(mine, models.BooleanField())).filter(
            Q(visibility=Community.Visibility.PUBLIC) | Q(is_mine=True)
        )


class Community(models.Model):
    """A Community of Practice, described by the CoP Framework's three pillars."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: listed, anyone can see its public page")
        UNLISTED = "unlisted", _("Unlisted: anyone with the link can see its public page")
        PRIVATE = "private", _("Private: only members know it exists")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone can join")
        ON_REQUEST = "request", _("On request: the Core Team approves")
        INVITATION = "invitation", _("By invitation only")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
                _("Use lowercase letters, numbers and single hyphens, e.g. urban-water."),
                code="invalid_slug",
            ),
            validate_not_reserved,
        ],
        help_text=_("Lowercase letters, numbers and hyphens; part of the community's web address."),
        error_messages={"unique": _("Another community already uses this address.")},
    )
    description = models.CharField(_("short description"), max_length=300, blank=True)
    purpose = models.TextField(
        _("purpose"),
        blank=True,
        help_text=_("What we talk about: the domain, the problems we share, our objectives."),
    )
    people = models.TextField(
        _("people"),
        blank=True,
        help_text=_("Who it is for: the target audience and what members need."),
    )
    practice = models.TextField(
        _("practice"),
        blank=True,
        help_text=_("Where and how members meet, and how knowledge is captured and shared."),
    )
    value_to_members = models.TextField(
        _("value to members"),
        blank=True,
        help_text=_("What members gain: answers, peers, skills, recognition."),
    )
    value_to_organisation = models.TextField(
        _("value to the organisation"),
        blank=True,
        help_text=_("What the host organisation gains: results, speed, fewer repeated mistakes."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("join policy"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        indexes = [models.Index(fields=["visibility", "name"], name="community_visible_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages.all()]


class CommunityLanguage(models.Model):
    """A language the community works in (one row per language, so lists can filter on it)."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="languages"
    )
    code = models.CharField(_("language"), max_length=10, choices=WORKING_LANGUAGES)

    class Meta:
        verbose_name = _("working language")
        verbose_name_plural = _("working languages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="community_language_once"),
        ]
        indexes = [models.Index(fields=["code", "community"], name="community_language_code_idx")]

    def __str__(self) -> str:
        return self.get_code_display()


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def core_team(self):
        return self.active().filter(tier=Membership.Tier.CORE_TEAM)

    def core_group(self):
        return self.active().filter(tier=Membership.Tier.CORE_GROUP)


class Membership(models.Model):
    """A person's place in a community: status, tier, and when they last took part."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")

    class Tier(models.TextChoices):
        MEMBER = "member", _("Member")
        CORE_GROUP = "core_group", _("Core Group")
        CORE_TEAM = "core_team", _("Core Team")

    class Source(models.TextChoices):
        DIRECT_INVITATION = "invitation", _("Direct invitation")
        WORD_OF_MOUTH = "word_of_mouth", _("Word of mouth")
        PROMOTION = "promotion", _("Promotion")
        SEARCH = "search", _("Search")

    # Statuses under which a community is "mine" in lists (it knows about me).
    KNOWN_STATUSES = (Status.ACTIVE, Status.INVITED, Status.REQUESTED)

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.MEMBER)
    is_internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Staff of the host organisation.")
    )
    acquisition_source = models.CharField(
        _("how they learned of the community"), max_length=16, choices=Source.choices, blank=True
    )
    request_message = models.TextField(_("why they want to join"), max_length=1000, blank=True)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("left or removed at"), null=True, blank=True)
    # The onboarding wave the member came in with: an id of members.Wave, kept as a plain
    # number because members sits above this app (set through membership_admit).
    wave_id = models.PositiveIntegerField(_("onboarding wave"), null=True, blank=True)
    first_participated_at = models.DateTimeField(_("first took part"), null=True, blank=True)
    last_participated_at = models.DateTimeField(_("last took part"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Copies of the person's name, country and search document (communities/search.py), so
    # that a directory search at 50,000 members reads this one indexed table.
    sort_name = models.CharField(max_length=254, blank=True, editable=False)
    country = models.CharField(max_length=2, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                name="communities_one_membership",
                violation_error_message=_("This person already has a membership here."),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "tier"], name="comm_member_tier_idx"),
            models.Index(
                fields=["community", "last_participated_at"], name="comm_member_participation_idx"
            ),
            # A directory page walked by name, with the country and tier filters read from
            # the index. The search vector is not included: a btree row holds at most
            # 2,704 bytes, and a profile with many tags makes a larger vector.
            models.Index(
                fields=["community", "status", "sort_name", "id"],
                include=["country", "tier"],
                name="comm_member_directory_idx",
            ),
            models.Index(fields=["community", "country"], name="comm_member_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.get_tier_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class RoleAssignment(models.Model):
    """A named role from the Toolkit held by a person, with an optional backup."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Community Manager")
        LEADER = "leader", _("Community Leader")
        SPONSOR = "sponsor", _("Community Sponsor")
        TECHNICAL_EXPERT = "technical_expert", _("Technical Expert")
        KNOWLEDGE_MANAGEMENT = "km_advisor", _("Knowledge Management Advisor")
        COMMUNICATIONS = "communications", _("Communications Advisor")
        ADMINISTRATIVE = "administrative", _("Administrative Support")

    # The roles whose succession matters most: warned about first.
    KEY_ROLES = (Role.LEADER, Role.MANAGER)

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.CASCADE,
        related_name="roles_held",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roles_backed_up",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "role", "holder"], name="communities_role_once_per_holder"
            ),
            models.CheckConstraint(
                condition=~Q(holder=models.F("backup")), name="communities_backup_not_holder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.holder}"
