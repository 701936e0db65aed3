"""Who may do what in a community: the one place these rules live.

`access_for_slug(user, slug)` reads the community and the person's standing once
(membership and sponsor role); the predicates below take that `Access` and answer one
question each. Views use them through `communities.decorators.community_view`, templates
through `access.can_manage` and friends, and querysets through
`Community.objects.listed_for(user)`, which encodes `can_see_community` for lists.
"""

from django.db import connection
from django.db.models import Model
from django.utils.functional import cached_property

from communities.models import Community, Membership, RoleAssignment
from copsite.rows import Columns


class Access:
    """A person's standing in a community, read once per request by `access_for_slug`.

    Whether they sponsor it is read on first use: most member pages never ask (an active
    member passes every member-page check without it), and asking costs a query.
    """

    def __init__(self, *, community: Community, user, membership: Membership | None,
                 is_sponsor: bool | None = None):  # fmt: skip
        self.community = community
        self.user = user
        self.membership = membership
        if is_sponsor is not None:
            self.is_sponsor = is_sponsor  # fills the cached property

    @cached_property
    def is_sponsor(self) -> bool:
        if not self.is_authenticated:
            return False
        return RoleAssignment.objects.filter(
            community=self.community, holder=self.user, role=RoleAssignment.Role.SPONSOR
        ).exists()

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def is_active_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def tier(self) -> str | None:
        return self.membership.tier if self.is_active_member else None

    # Template-friendly names for the predicates.
    @property
    def can_see_member_pages(self) -> bool:
        return can_see_member_pages(self)

    @property
    def can_run_activities(self) -> bool:
        return can_run_activities(self)

    @property
    def can_manage(self) -> bool:
        return can_manage(self)

    @property
    def can_see_dashboard(self) -> bool:
        return can_see_dashboard(self)

    @property
    def can_join(self) -> bool:
        return can_join(self)


_COMMUNITY = Columns(Community, "c")
_MEMBERSHIP = Columns(Membership, "m")
BIGINT_MAX = 2**63 - 1
_STATEMENTS: dict[Columns | None, str] = {}


def _access_statement(joined: Columns | None) -> str:
    """The person's membership row joins to the community, so a visitor or a non-member
    still gets the community (with NULLs for the membership) from the same single statement;
    `joined`, a model with a `community` key, adds the community's object of a given key."""
    if joined not in _STATEMENTS:
        select, join = f"{_COMMUNITY.sql}, {_MEMBERSHIP.sql}", ""
        if joined is not None:
            select += f", {joined.sql}"
            join = (
                f" LEFT JOIN {joined.table} {joined.alias} ON {joined.column('community')} = "
                f"{_COMMUNITY.column('id')} AND {joined.column('id')} = %s"
            )
        _STATEMENTS[joined] = (
            f"SELECT {select} FROM {_COMMUNITY.table} c "  # noqa: S608
            f"LEFT JOIN {_MEMBERSHIP.table} m ON {_MEMBERSHIP.column('community')} = "
            f"{_COMMUNITY.column('id')} AND {_MEMBERSHIP.column('user')} = %s{join} "
            f"WHERE {_COMMUNITY.column('slug')} = %s"
        )
    return _STATEMENTS[joined]


def access_for_slug(user, slug: str) -> Access | None:
    """The community at `slug` with the person's standing; None if there is no such slug.

    One statement, on every community page: the community with the person's membership row
    if they have one (plain SQL, see copsite/rows.py). The sponsor flag comes later, if a
    check needs it.
    """
    row = _read_access(_access_statement(None), [_user_id(user), slug])
    return None if row is None else _access_from_row(user, row)


def access_and_object_for_slug(
    user, slug: str, *, columns: Columns, pk: int
) -> tuple[Access | None, Model | None]:
    """`access_for_slug`, and the community's object `pk` of `columns`' model (one with a
    `community` key, such as an event) read by the same statement: one query for the
    community, the person's standing and the page's object. Returns (access, object); the
    access is None when there is no such slug, the object when the community has no such
    object (another community's included)."""
    if not 0 < pk <= BIGINT_MAX:  # an edited link: no such object, whatever the database
        pk = None  # joins nothing
    row = _read_access(_access_statement(columns), [_user_id(user), pk, slug])
    if row is None:
        return None, None
    access = _access_from_row(user, row)
    start = len(_COMMUNITY) + len(_MEMBERSHIP)
    if row[start + columns.names.index(columns.model._meta.pk.attname)] is None:
        return access, None
    found = columns.instance(row, start)
    found.community = access.community
    return access, found


def _user_id(user):
    return user.pk if getattr(user, "is_authenticated", False) else None


def _read_access(statement: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def _access_from_row(user, row) -> Access:
    community = _COMMUNITY.instance(row)
    membership = None
    if row[len(_COMMUNITY)] is not None:  # the membership's id
        membership = _MEMBERSHIP.instance(row, len(_COMMUNITY))
        membership.community = community
    return Access(community=community, user=user, membership=membership)


def access_for(*, community: Community, user) -> Access:
    """A person's standing in a community already loaded (services checking someone other
    than the viewer, or outside a request)."""
    membership = None
    if getattr(user, "is_authenticated", False):
        membership = Membership.objects.filter(community=community, user=user).first()
    return Access(community=community, user=user, membership=membership)


def accesses_for(*, community: Community, users) -> dict[int, Access]:
    """Many people's standing in one community, by user id, in two queries (memberships and
    sponsor roles): for services that check a whole list, such as everyone registered."""
    users = {user.pk: user for user in users}
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(community=community, user_id__in=users)
    }
    sponsors = set(
        RoleAssignment.objects.filter(
            community=community, role=RoleAssignment.Role.SPONSOR, holder_id__in=users
        ).values_list("holder_id", flat=True)
    )
    return {
        pk: Access(
            community=community,
            user=user,
            membership=memberships.get(pk),
            is_sponsor=pk in sponsors,
        )
        for pk, user in users.items()
    }


def can_see_community(access: Access) -> bool:
    """A private community does not exist for anyone it does not know."""
    if access.community.visibility != Community.Visibility.PRIVATE:
        return True
    known = access.membership is not None and access.membership.status in (
        Membership.KNOWN_STATUSES
    )
    return known or access.is_sponsor


def is_member(access: Access) -> bool:
    """An active member (not a sponsor from outside): may leave, register, take part."""
    return access.is_active_member


def can_see_member_pages(access: Access) -> bool:
    """Member home, canvas, roles, directory, events, plans. Sponsors read them."""
    return access.is_active_member or access.is_sponsor


def can_run_activities(access: Access) -> bool:
    """Create and run events and activities: the Core Group and the Core Team."""
    return access.tier in (Membership.Tier.CORE_GROUP, Membership.Tier.CORE_TEAM)


def can_manage(access: Access) -> bool:
    """Settings, canvas, tiers, roles, invitations and waves: the Core Team only."""
    return access.tier == Membership.Tier.CORE_TEAM


def can_see_dashboard(access: Access) -> bool:
    return can_run_activities(access) or access.is_sponsor


def can_join(access: Access) -> bool:
    """Whether the join button applies: signed in, not yet in, not removed, and the policy
    lets them (an invitee may always accept)."""
    if not access.is_authenticated or access.is_active_member:
        return False
    status = access.membership.status if access.membership else None
    if status in (Membership.Status.REMOVED, Membership.Status.REQUESTED):
        return False
    if status == Membership.Status.INVITED:
        return True
    return access.community.join_policy != Community.JoinPolicy.INVITATION
