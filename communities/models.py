from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunityQuerySet(models.QuerySet):
    def listed(self):
        """Communities anyone may find: the public ones."""
        return self.filter(visibility=Community.Visibility.PUBLIC)


class Community(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: listed, anyone can see its public page")
        UNLISTED = "unlisted", _("Unlisted: anyone with the link can see its public page")
        PRIVATE = "private", _("Private: only members know it exists")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone can join")
        ON_REQUEST = "request", _("On request: the Core Team approves")
        INVITATION = "invitation", _("By invitation only")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    description = models.CharField(_("short description"), max_length=300, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("join policy"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
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
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="communities_one_membership"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "tier"], name="comm_member_tier_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.get_tier_display()})"


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

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "role", "holder"], name="communities_role_once_per_holder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.holder}"
