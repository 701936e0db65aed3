from dataclasses import dataclass

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from communities.models import Community, CommunityLanguage, Membership, RoleAssignment

CORE_TEAM_SIZE = (2, 3)
CORE_GROUP_SIZE = (5, 12)


def community_list(*, user, search: str = "", language: str = "") -> QuerySet[Community]:
    """The community list: my communities first, then the public ones; searchable by name and
    description, filterable by working language."""
    communities = Community.objects.listed_for(user)
    if search:
        communities = communities.filter(
            Q(name__icontains=search) | Q(description__icontains=search)
        )
    if language:
        communities = communities.filter(languages__code=language)
    return communities.prefetch_related("languages").order_by("-is_mine", "name")


def community_languages_in_use() -> list[tuple[str, str]]:
    """The working languages at least one public community uses, for the list's filter."""
    codes = (
        CommunityLanguage.objects.filter(community__visibility=Community.Visibility.PUBLIC)
        .values_list("code", flat=True)
        .distinct()
    )
    names = dict(CommunityLanguage._meta.get_field("code").choices)
    return sorted(((code, str(names.get(code, code))) for code in codes), key=lambda c: c[1])


def community_tier_counts(*, community: Community) -> dict[str, int]:
    """Active members per tier."""
    counts = dict.fromkeys(Membership.Tier.values, 0)
    rows = (
        Membership.objects.active()
        .filter(community=community)
        .values("tier")
        .annotate(count=Count("pk"))
    )
    for row in rows:
        counts[row["tier"]] = row["count"]
    return counts


def role_assignments(*, community: Community) -> list[RoleAssignment]:
    """Every role assignment, in the Toolkit's role order, with holder and backup loaded and
    `holder_status` set to the holder's membership status here (None: not a member)."""
    assignments = list(
        RoleAssignment.objects.filter(community=community).select_related("holder", "backup")
    )
    user_ids = {a.holder_id for a in assignments} | {
        a.backup_id for a in assignments if a.backup_id
    }
    statuses = dict(
        Membership.objects.filter(community=community, user_id__in=user_ids).values_list(
            "user_id", "status"
        )
    )
    role_order = {role: index for index, role in enumerate(RoleAssignment.Role.values)}
    for assignment in assignments:
        assignment.holder_status = statuses.get(assignment.holder_id)
        assignment.backup_status = statuses.get(assignment.backup_id)
    assignments.sort(key=lambda a: (role_order[a.role], a.holder.name.lower()))
    return assignments


@dataclass(frozen=True)
class RoleWarning:
    severity: int  # 0 is the worst
    message: str | Promise
    level: str  # Bootstrap alert level: danger, warning, info


GONE = (Membership.Status.LEFT, Membership.Status.REMOVED)


def role_warnings(
    *,
    community: Community,
    assignments: list[RoleAssignment] | None = None,
    tier_counts: dict[str, int] | None = None,
) -> list[RoleWarning]:
    """What threatens the community's continuity, worst first: roles held by people who have
    left, missing key roles, key roles (Leader, Manager) without a backup, a Core Team outside
    2-3, other roles without a backup, a Core Group outside 5-12."""
    if assignments is None:
        assignments = role_assignments(community=community)
    if tier_counts is None:
        tier_counts = community_tier_counts(community=community)
    warnings = [
        *_role_holder_warnings(assignments),
        *_tier_size_warnings(tier_counts),
    ]
    return sorted(warnings, key=lambda warning: warning.severity)


def has_active_backup(assignment: RoleAssignment) -> bool:
    """A backup who has left backs no one up."""
    return bool(assignment.backup_id) and assignment.backup_status == Membership.Status.ACTIVE


def _role_holder_warnings(assignments: list[RoleAssignment]) -> list[RoleWarning]:
    gone = [
        RoleWarning(
            0,
            _("%(role)s is held by %(person)s, who has left the community.")
            % {"role": a.get_role_display(), "person": a.holder.name},
            "danger",
        )
        for a in assignments
        if a.holder_status in GONE
    ]
    held = {a.role for a in assignments}
    unheld = [
        RoleWarning(1, _("No one holds the %(role)s role.") % {"role": role.label}, "danger")
        for role in RoleAssignment.KEY_ROLES
        if role not in held
    ]
    no_backup = [
        RoleWarning(
            2 if a.role in RoleAssignment.KEY_ROLES else 4,
            (
                _("%(role)s (%(person)s) has no backup.")
                if not a.backup_id
                else _("%(role)s (%(person)s): the backup, %(backup)s, has left.")
            )
            % {
                "role": a.get_role_display(),
                "person": a.holder.name,
                "backup": a.backup.name if a.backup_id else "",
            },
            "warning" if a.role in RoleAssignment.KEY_ROLES else "info",
        )
        for a in assignments
        if a.holder_status not in GONE and not has_active_backup(a)
    ]
    return [*gone, *unheld, *no_backup]


def _tier_size_warnings(tier_counts: dict[str, int]) -> list[RoleWarning]:
    warnings = []
    core_team = tier_counts[Membership.Tier.CORE_TEAM]
    if not CORE_TEAM_SIZE[0] <= core_team <= CORE_TEAM_SIZE[1]:
        warnings.append(
            RoleWarning(
                3,
                _("The Core Team has %(count)s people; the Toolkit recommends 2 to 3.")
                % {"count": core_team},
                "warning",
            )
        )
    core_group = tier_counts[Membership.Tier.CORE_GROUP]
    if not CORE_GROUP_SIZE[0] <= core_group <= CORE_GROUP_SIZE[1]:
        warnings.append(
            RoleWarning(
                5,
                _("The Core Group has %(count)s people; the Toolkit recommends about 5 to 12.")
                % {"count": core_group},
                "info",
            )
        )
    return warnings


def succession_offers(*, assignments: list[RoleAssignment]) -> list[RoleAssignment]:
    """Roles whose holder has left and whose backup is still an active member: the Core Team
    is offered to hand each over to the backup."""
    return [
        a
        for a in assignments
        if a.holder_status in GONE and a.backup_id and a.backup_status == Membership.Status.ACTIVE
    ]


TIER_RANK = Case(
    When(tier=Membership.Tier.CORE_TEAM, then=Value(0)),
    When(tier=Membership.Tier.CORE_GROUP, then=Value(1)),
    default=Value(2),
)


def people_list(*, community: Community, search: str = "") -> QuerySet[Membership]:
    """The people page: active members, Core Team first, then by name."""
    memberships = (
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
        .select_related("user")
        .annotate(tier_rank=TIER_RANK)
        .order_by("tier_rank", "user__display_name", "user__email")
    )
    if search:
        memberships = memberships.filter(
            Q(user__display_name__icontains=search) | Q(user__email__icontains=search)
        )
    return memberships


def join_requests(*, community: Community) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community=community, status=Membership.Status.REQUESTED)
        .select_related("user")
        .order_by("created_at")
    )


def member_suggestions(*, community: Community, limit: int = 50) -> QuerySet[Membership]:
    """Who the role form suggests first: the Core Team and Core Group."""
    return (
        Membership.objects.active()
        .filter(
            community=community,
            tier__in=[Membership.Tier.CORE_TEAM, Membership.Tier.CORE_GROUP],
        )
        .select_related("user")
        .order_by("user__email")[:limit]
    )


def communities_run_only_by(*, users) -> QuerySet[Community]:
    """The communities whose active Core Team members are all among `users` (a person, or
    several deleted together), each with `leaving`: the emails of those members."""
    ids = [user.pk for user in users]
    core_team = Q(
        memberships__status=Membership.Status.ACTIVE,
        memberships__tier=Membership.Tier.CORE_TEAM,
    )
    theirs = Membership.objects.filter(
        user_id__in=ids, status=Membership.Status.ACTIVE, tier=Membership.Tier.CORE_TEAM
    )
    return (
        Community.objects.filter(pk__in=theirs.values("community_id"))
        .annotate(
            core_team_size=Count("memberships", filter=core_team),
            leaving_size=Count("memberships", filter=core_team & Q(memberships__user_id__in=ids)),
        )
        .filter(core_team_size=F("leaving_size"))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=theirs.select_related("user").order_by("user__email"),
                to_attr="leaving",
            )
        )
        .order_by("name")
    )


def core_team_deletion_warnings(users) -> list[str]:
    """What deleting the accounts of `users` would leave behind (accounts' confirmation
    pages): two queries, however many people."""
    return [
        ngettext(
            "%(people)s is the only Core Team member of %(community)s: once deleted, nobody "
            "can run it on the site. Move someone else into its Core Team first.",
            "%(people)s are the only Core Team members of %(community)s: once they are "
            "deleted, nobody can run it on the site. Move someone else into its Core Team "
            "first.",
            len(community.leaving),
        )
        % {
            "people": ", ".join(membership.user.email for membership in community.leaving),
            "community": community.name,
        }
        for community in communities_run_only_by(users=users)
    ]
