"""Who may do what in a community: the one place these rules live.

`access_for_slug(user, slug)` reads the community and the person's standing once
(membership and sponsor role); the predicates below take that `Access` and answer one
question each. Views use them through `communities.decorators.community_view`, templates
through `access.can_manage` and friends, and querysets through
`Community.objects.listed_for(user)`, which encodes `can_see_community` for lists.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from communities.models import Community, Membership, RoleAssignment


@dataclass(frozen=True)
class Access:
    community: Community
    user: object
    membership: Membership | None
    is_sponsor: bool

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


def access_for_slug(user, slug: str) -> Access | None:
    """The community at `slug` with the person's standing, in two queries (the community
    with whether they sponsor it, then their membership); None if there is no such slug."""
    communities = Community.objects.filter(slug=slug)
    if not getattr(user, "is_authenticated", False):
        community = communities.first()
        if community is None:
            return None
        return Access(community=community, user=user, membership=None, is_sponsor=False)
    community = communities.annotate(
        user_is_sponsor=Exists(
            RoleAssignment.objects.filter(
                community=OuterRef("pk"), holder=user, role=RoleAssignment.Role.SPONSOR
            )
        )
    ).first()
    if community is None:
        return None
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is not None:
        membership.community = community  # already loaded: no query when services read it
    return Access(
        community=community, user=user, membership=membership, is_sponsor=community.user_is_sponsor
    )


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
