from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.extensions import membership_ended, standing_changed
from communities.models import Community, CommunityLanguage, Membership, RoleAssignment
from communities.search import memberships_copy_search
from notifications.services import email_send

CANVAS_SECTIONS = ("purpose", "people", "practice", "value_to_members", "value_to_organisation")


def _set_languages(*, community: Community, languages: list[str]) -> None:
    CommunityLanguage.objects.filter(community=community).exclude(code__in=languages).delete()
    existing = set(community.languages.values_list("code", flat=True))
    CommunityLanguage.objects.bulk_create(
        [
            CommunityLanguage(community=community, code=code)
            for code in languages
            if code not in existing
        ]
    )


@transaction.atomic
def community_create(
    *,
    creator,
    name: str,
    slug: str,
    description: str = "",
    visibility: str = Community.Visibility.PUBLIC,
    join_policy: str = Community.JoinPolicy.OPEN,
    languages: list[str] | None = None,
) -> Community:
    """Creates a community; its creator becomes its first Core Team member and its
    Community Manager."""
    community = Community(
        name=name.strip(),
        slug=slug.lower(),
        description=description.strip(),
        visibility=visibility,
        join_policy=join_policy,
    )
    community.full_clean()
    try:
        with transaction.atomic():
            community.save()
    except IntegrityError as error:  # the same address taken a moment ago
        raise ValidationError(
            {"slug": _("Another community already uses this address.")}
        ) from error
    _set_languages(community=community, languages=languages or [])
    community_add_first_manager(community=community, user=creator)
    return community


@transaction.atomic
def community_add_first_manager(*, community: Community, user) -> Membership:
    """Makes `user` a new community's first Core Team member and its Community Manager (its
    creator; staff name one when they add a community in the admin)."""
    membership = Membership.objects.create(
        community=community,
        user=user,
        status=Membership.Status.ACTIVE,
        tier=Membership.Tier.CORE_TEAM,
        joined_at=timezone.now(),
    )
    memberships_copy_search([user.pk])
    RoleAssignment.objects.create(
        community=community, role=RoleAssignment.Role.MANAGER, holder=user
    )
    return membership


@transaction.atomic
def community_update_settings(
    *,
    community: Community,
    name: str,
    description: str,
    visibility: str,
    join_policy: str,
    languages: list[str],
) -> Community:
    turns_private = (
        visibility == Community.Visibility.PRIVATE
        and community.visibility != Community.Visibility.PRIVATE
    )
    community.name = name.strip()
    community.description = description.strip()
    community.visibility = visibility
    community.join_policy = join_policy
    community.full_clean()
    community.save(update_fields=["name", "description", "visibility", "join_policy", "updated_at"])
    _set_languages(community=community, languages=languages)
    if turns_private:
        # Outsiders no longer see it at all (its public events included).
        standing_changed(community=community, user=None)
    return community


@transaction.atomic
def community_update_canvas(*, community: Community, section: str, text: str) -> Community:
    """Saves one section of the CoP Framework canvas (markdown, sanitised when shown)."""
    if section not in CANVAS_SECTIONS:
        raise ValidationError(_("Unknown canvas section."))
    setattr(community, section, text.strip())
    community.save(update_fields=[section, "updated_at"])
    return community


# --- Memberships --------------------------------------------------------------------------


def _lock_community(community: Community) -> None:
    """Serialises tier changes in one community, so that two Core Team members demoting or
    removing each other at the same moment cannot leave it with no Core Team. `FOR NO KEY
    UPDATE`: rows that refer to the community (an event written twice in one transaction,
    whose commit checks its community key) are not kept waiting for it."""
    Community.objects.select_for_update(no_key=True).filter(pk=community.pk).first()


def _refuse_if_last_core_team(membership: Membership, message: str) -> None:
    if membership.tier != Membership.Tier.CORE_TEAM or not membership.is_active:
        return
    others = (
        Membership.objects.core_team()
        .filter(community_id=membership.community_id)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(message, code="last_core_team")


@transaction.atomic
def membership_join(
    *, community: Community, user, acquisition_source: str = "", motivation: str = ""
) -> Membership:
    """Joins per the community's policy: open -> active at once; on request -> requested, with
    a short motivation, for the Core Team to approve (they are emailed); by invitation -> only
    an invitee, who becomes active."""
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    status = membership.status if membership else None
    if status in (Membership.Status.ACTIVE, Membership.Status.REQUESTED):
        return membership  # already in, or already asked: a second click changes nothing
    _refuse_join(community=community, status=status)

    becomes_active = status == Membership.Status.INVITED or (
        community.join_policy == Community.JoinPolicy.OPEN
    )
    if membership is None:
        membership = Membership(community=community, user=user, tier=Membership.Tier.MEMBER)
    if acquisition_source:
        membership.acquisition_source = acquisition_source
    elif status == Membership.Status.INVITED and not membership.acquisition_source:
        membership.acquisition_source = Membership.Source.DIRECT_INVITATION
    if becomes_active:
        membership.status = Membership.Status.ACTIVE
        membership.joined_at = timezone.now()
        # Someone who left and comes back starts again as a member.
        membership.tier = Membership.Tier.MEMBER
        if not _saved_once(membership):
            return Membership.objects.get(community=community, user=user)
        return membership
    membership.status = Membership.Status.REQUESTED
    membership.request_message = motivation.strip()[:1000]
    if not _saved_once(membership):
        return Membership.objects.get(community=community, user=user)
    _email_core_team(
        community=community,
        kind="join_requested",
        template_prefix="communities/email/join_requested",
        context={"requester": user, "motivation": membership.request_message},
        about=f"membership:{membership.pk}",
        period=f"requested:{timezone.now().isoformat()}",
    )
    return membership


@transaction.atomic
def membership_admit(
    *,
    community: Community,
    user,
    acquisition_source: str = "",
    is_internal: bool | None = None,
    wave_id: int | None = None,
) -> Membership:
    """Lets someone in whom the Core Team invited, whatever the join policy: a new or
    returning member becomes active as a member. Used when an invitation is accepted."""
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    if membership is not None and membership.is_active:
        return membership
    if membership is None:
        membership = Membership(community=community, user=user)
    membership.status = Membership.Status.ACTIVE
    membership.tier = Membership.Tier.MEMBER
    membership.joined_at = timezone.now()
    membership.acquisition_source = acquisition_source or Membership.Source.DIRECT_INVITATION
    if is_internal is not None:
        membership.is_internal = is_internal
    if wave_id is not None:
        membership.wave_id = wave_id
    if not _saved_once(membership):
        return Membership.objects.get(community=community, user=user)
    return membership


def _refuse_join(*, community: Community, status: str | None) -> None:
    if status == Membership.Status.REMOVED:
        raise ValidationError(_("The Core Team has removed you from this community."))
    if status != Membership.Status.INVITED and (
        community.join_policy == Community.JoinPolicy.INVITATION
    ):
        raise ValidationError(_("This community is by invitation only."))


def _saved_once(membership: Membership) -> bool:
    """Saves a membership; False when a concurrent request (a double click) inserted the same
    person's row first, in which case theirs stands."""
    if membership.pk:
        membership.save()
        return True
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        return False
    memberships_copy_search([membership.user_id])
    return True


def _email_core_team(*, community: Community, **email) -> None:
    context = {
        "community": community,
        "people_path": reverse("community_people", kwargs={"slug": community.slug}),
        **email.pop("context"),
    }
    for member in Membership.objects.core_team().filter(community=community).select_related("user"):
        email_send(to=member.user.email, user=member.user, context=context, **email)


def _email_requester(*, membership: Membership, kind: str, message: str) -> None:
    community = membership.community
    email_send(
        to=membership.user.email,
        user=membership.user,
        kind=kind,
        template_prefix=f"communities/email/{kind}",
        context={
            "community": community,
            "message": message.strip(),
            "home_path": reverse("community_home", kwargs={"slug": community.slug}),
        },
        about=f"membership:{membership.pk}",
        period=f"{kind}:{timezone.now().isoformat()}",
    )


@transaction.atomic
def membership_approve(*, membership: Membership, message: str = "") -> Membership:
    """Lets a requester in; they are emailed, with the Core Team's message if any."""
    if membership.status != Membership.Status.REQUESTED:
        raise ValidationError(_("There is no pending request to approve."))
    membership.status = Membership.Status.ACTIVE
    membership.tier = Membership.Tier.MEMBER
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "tier", "joined_at"])
    _email_requester(membership=membership, kind="join_approved", message=message)
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, message: str = "") -> None:
    """Declines a join request and tells the requester; they may ask again later."""
    if membership.status != Membership.Status.REQUESTED:
        raise ValidationError(_("There is no pending request to decline."))
    _email_requester(membership=membership, kind="join_declined", message=message)
    membership_ended(community=membership.community, user=membership.user)
    membership.delete()
    standing_changed(community=membership.community, user=membership.user)


@transaction.atomic
def membership_set_internal(*, membership: Membership, is_internal: bool) -> Membership:
    """Marks a member as staff of the host organisation (internal) or a partner (external)."""
    membership.is_internal = is_internal
    membership.save(update_fields=["is_internal"])
    standing_changed(community=membership.community, user=membership.user)
    return membership


@transaction.atomic
def membership_set_tier(*, membership: Membership, tier: str) -> Membership:
    if tier not in Membership.Tier.values:
        raise ValidationError({"tier": _("Choose member, Core Group or Core Team.")})
    if not membership.is_active:
        raise ValidationError(_("Only active members have a tier."))
    _lock_community(membership.community)
    membership.refresh_from_db()
    if tier != Membership.Tier.CORE_TEAM:
        _refuse_if_last_core_team(
            membership,
            _(
                "%(person)s is the last Core Team member. Add someone else to the Core Team "
                "first, so the community always has someone to run it."
            )
            % {"person": membership.user.name},
        )
    membership.tier = tier
    membership.save(update_fields=["tier"])
    standing_changed(community=membership.community, user=membership.user)
    return membership


def _end_membership(*, membership: Membership, status: str, refusal: str) -> Membership:
    _lock_community(membership.community)
    membership.refresh_from_db()
    if not membership.is_active:
        return membership
    _refuse_if_last_core_team(membership, refusal)
    membership.status = status
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    _ask_for_succession(membership=membership)
    membership_ended(community=membership.community, user=membership.user)
    standing_changed(community=membership.community, user=membership.user)
    return membership


def _ask_for_succession(*, membership: Membership) -> None:
    """Tells the Core Team and the backups which roles the departed member held, so the Core
    Team can hand each to its backup on the roles page. Sent once per departure and day."""
    _tell_about_roles(
        community=membership.community,
        departed=membership.user,
        about=f"membership:{membership.pk}",
        period=f"{membership.status}:{timezone.now().isoformat()}",
    )


def _tell_about_roles(*, community: Community, departed, about: str, period: str, vacant=False):
    """The succession email to the Core Team and the backups of `departed`'s roles (sponsors
    aside). `vacant`: the roles go with their deleted account, so the Core Team assigns them
    anew (the backup named, first) instead of confirming a hand-over."""
    roles = list(
        RoleAssignment.objects.filter(community=community, holder=departed)
        .exclude(role=RoleAssignment.Role.SPONSOR)
        .select_related("backup")
    )
    if not roles:
        return
    backup_ids = {role.backup_id for role in roles if role.backup_id}
    recipients = (
        Membership.objects.active()
        .filter(community=community)
        .filter(Q(tier=Membership.Tier.CORE_TEAM) | Q(user_id__in=backup_ids))
        .exclude(user=departed)
        .select_related("user")
    )
    context = {
        "community": community,
        "departed": departed,
        "roles": roles,
        "vacant": vacant,
        "any_backup": bool(backup_ids),
        "roles_path": reverse("community_roles", kwargs={"slug": community.slug}),
    }
    for recipient in recipients:
        email_send(
            to=recipient.user.email,
            user=recipient.user,
            kind="succession_needed",
            template_prefix="communities/email/succession",
            context={**context, "is_backup": recipient.user_id in backup_ids},
            about=about,
            period=period,
        )


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """The member leaves. Roles they held stay assigned, and the roles page offers each to
    its backup (see `role_hand_over`) or warns that the role is held by someone who left."""
    return _end_membership(
        membership=membership,
        status=Membership.Status.LEFT,
        refusal=_(
            "You are the last Core Team member, so you cannot leave yet: the community would "
            "have no one to run it. Move someone else into the Core Team first."
        ),
    )


@transaction.atomic
def membership_remove(*, membership: Membership) -> Membership:
    """Removes a member. A Community Sponsor role they hold goes too: sponsor access would
    otherwise keep them reading the community they were removed from."""
    RoleAssignment.objects.filter(
        community=membership.community, holder=membership.user, role=RoleAssignment.Role.SPONSOR
    ).delete()
    return _end_membership(
        membership=membership,
        status=Membership.Status.REMOVED,
        refusal=_(
            "%(person)s is the last Core Team member and cannot be removed. Move someone else "
            "into the Core Team first."
        )
        % {"person": membership.user.name},
    )


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Deletes a membership outright (staff, in the admin), ending it as the other services
    do: its open invitations are revoked and the person's places at events they may no
    longer see are withdrawn. Unlike leaving or removal it keeps no record, checks no last
    Core Team member and asks for no succession: a staff correction, not a departure."""
    community, user = membership.community, membership.user
    membership.delete()
    membership_ended(community=community, user=user)
    standing_changed(community=community, user=user)


def memberships_delete_of(*, user) -> None:
    """Before a person's account is deleted (accounts' `register_user_deleting`): each of
    their memberships is deleted as `membership_delete` does, so their open invitations are
    revoked and their places at events they may no longer see are given up. The roles they
    held go with the account: each community's Core Team and the roles' backups are told
    which, to assign them again."""
    for membership in Membership.objects.filter(user=user).select_related("community", "user"):
        _tell_about_roles(
            community=membership.community,
            departed=user,
            about=f"account:{user.pk}",
            period=f"deleted:{membership.community_id}",
            vacant=True,
        )
        membership_delete(membership=membership)


def membership_record_participation(
    *, community: Community, user, at: datetime | None = None
) -> None:
    """Records that a member took part (attended, contributed) at `at`.

    Higher apps call this when it happens (events when it checks people in), so that the
    onboarding funnel, "active members" and the directory read two indexed columns instead
    of joining registrations. One UPDATE each, safe under concurrency: the first date only
    ever moves earlier and the last only later.
    """
    at = at or timezone.now()
    memberships = Membership.objects.filter(community=community, user=user)
    memberships.filter(
        Q(first_participated_at__isnull=True) | Q(first_participated_at__gt=at)
    ).update(first_participated_at=at)
    memberships.filter(
        Q(last_participated_at__isnull=True) | Q(last_participated_at__lt=at)
    ).update(last_participated_at=at)


# --- Roles --------------------------------------------------------------------------------


def _check_role_people(*, community: Community, role: str, holder, backup) -> None:
    errors = {}
    active_ids = set(
        Membership.objects.active()
        .filter(community=community, user__in=[p for p in (holder, backup) if p])
        .values_list("user_id", flat=True)
    )
    if role != RoleAssignment.Role.SPONSOR and holder.pk not in active_ids:
        errors["holder"] = _("Only an active member of this community can hold this role.")
    if backup is not None:
        if backup.pk == holder.pk:
            errors["backup"] = _("The backup must be someone other than the holder.")
        elif backup.pk not in active_ids:
            errors["backup"] = _("The backup must be an active member of this community.")
    if errors:
        raise ValidationError(errors)


def role_assign_check(*, community: Community, role: str, holder, backup=None) -> None:
    """What `role_assign` checks, without writing: raises ValidationError by field (a form
    that assigns roles elsewhere, the admin's, shows them at its fields)."""
    if role not in RoleAssignment.Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    _check_role_people(community=community, role=role, holder=holder, backup=backup)
    if RoleAssignment.objects.filter(community=community, role=role, holder=holder).exists():
        raise _already_holds()


def _already_holds() -> ValidationError:
    return ValidationError({"holder": _("This person already holds this role.")})


def role_set_backup_check(*, assignment: RoleAssignment, backup) -> None:
    """What `role_set_backup` checks, without writing (ValidationError by field)."""
    _check_role_people(
        community=assignment.community,
        role=assignment.role,
        holder=assignment.holder,
        backup=backup,
    )


@transaction.atomic
def role_assign(*, community: Community, role: str, holder, backup=None) -> RoleAssignment:
    """Gives a named role to a person, with an optional backup. Anyone with an account may be
    Community Sponsor, member or not: that gives them sponsor access."""
    role_assign_check(community=community, role=role, holder=holder, backup=backup)
    try:
        with transaction.atomic():
            return RoleAssignment.objects.create(
                community=community, role=role, holder=holder, backup=backup
            )
    except IntegrityError as error:  # the same assignment from a double click
        raise _already_holds() from error


@transaction.atomic
def role_set_backup(*, assignment: RoleAssignment, backup) -> RoleAssignment:
    role_set_backup_check(assignment=assignment, backup=backup)
    assignment.backup = backup
    assignment.save(update_fields=["backup"])
    return assignment


@transaction.atomic
def role_unassign(*, assignment: RoleAssignment) -> None:
    assignment.delete()
    if assignment.role == RoleAssignment.Role.SPONSOR:
        standing_changed(community=assignment.community, user=assignment.holder)


@transaction.atomic
def role_hand_over(*, assignment: RoleAssignment) -> RoleAssignment:
    """Succession, confirmed by the Core Team: the backup takes over the role of a holder who
    has left or was removed. The new holder has no backup yet, and the roles page says so."""
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.role == RoleAssignment.Role.SPONSOR:
        raise ValidationError(_("The sponsor role is not handed over; assign a new sponsor."))
    holder_gone = Membership.objects.filter(
        community_id=assignment.community_id,
        user_id=assignment.holder_id,
        status__in=(Membership.Status.LEFT, Membership.Status.REMOVED),
    ).exists()
    if not holder_gone:
        raise ValidationError(_("The holder is still an active member; edit the role instead."))
    if assignment.backup is None:
        raise ValidationError(_("This role has no backup to hand it to."))
    if (
        not Membership.objects.active()
        .filter(community_id=assignment.community_id, user_id=assignment.backup_id)
        .exists()
    ):
        raise ValidationError(_("The backup is no longer an active member."))
    successor = assignment.backup
    # If the successor already holds the same role, the departed holder's row just goes.
    if RoleAssignment.objects.filter(
        community_id=assignment.community_id, role=assignment.role, holder=successor
    ).exists():
        assignment.delete()
        return RoleAssignment.objects.get(
            community_id=assignment.community_id, role=assignment.role, holder=successor
        )
    assignment.holder = successor
    assignment.backup = None
    assignment.save(update_fields=["holder", "backup"])
    return assignment
