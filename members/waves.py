"""Onboarding waves and invitations: create, add invitees, send in batches, accept."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_refresh_search
from communities.models import Community, Membership
from communities.services import membership_admit
from members.invitations import MAX_INVITEES, Invitee
from members.models import Invitation, Wave, default_checklist
from notifications.services import email_send

BATCH_SIZE = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def wave_create(
    *,
    community: Community,
    name: str,
    planned_date: date,
    welcome_message: str = "",
    extra_checklist: list[str] | None = None,
    created_by=None,
) -> Wave:
    """A wave with the default checklist (profile, introduction, needs survey, first event)
    and any extra items, one per line."""
    checklist = default_checklist() + [
        {"key": f"custom-{number}", "title": title.strip()[:120]}
        for number, title in enumerate(extra_checklist or [], start=1)
        if title.strip()
    ]
    wave = Wave(
        community=community,
        name=name.strip(),
        planned_date=planned_date,
        welcome_message=welcome_message.strip(),
        checklist=checklist,
        created_by=created_by,
    )
    wave.full_clean()
    wave.save()
    return wave


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


@transaction.atomic
def invitations_add(*, wave: Wave, invitees: list[Invitee]) -> AddReport:
    """Adds invitees to a wave. Existing members, addresses already invited to this community
    (in any wave) and repeats within the list are skipped and reported."""
    if len(invitees) > MAX_INVITEES:
        raise ValidationError(_("At most %(max)s invitees at a time.") % {"max": MAX_INVITEES})
    # One addition at a time per wave: a double-submitted list must not insert twice.
    wave = Wave.objects.select_for_update(of=("self",)).select_related("community").get(pk=wave.pk)
    community = wave.community
    report = AddReport()
    emails = [invitee.email.lower() for invitee in invitees]
    members = set(
        Membership.objects.active()
        .filter(community=community)
        .annotate(address=Lower("user__email"))
        .filter(address__in=emails)
        .values_list("address", flat=True)
    )
    invited = set(
        Invitation.objects.filter(community=community, status__in=Invitation.OPEN)
        .annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values_list("address", flat=True)
    )
    seen: set[str] = set()
    rows = []
    for invitee in invitees:
        email = invitee.email.lower()
        if email in members:
            report.already_members.append(email)
        elif email in invited or email in seen:
            report.duplicates.append(email)
        else:
            seen.add(email)
            report.added.append(email)
            rows.append(
                Invitation(
                    community=community,
                    wave=wave,
                    email=email,
                    name=invitee.name[:120],
                    organisation=invitee.organisation[:200],
                    is_internal=invitee.is_internal,
                )
            )
    Invitation.objects.bulk_create(rows)
    return report


@transaction.atomic
def invitations_from_requests(*, wave: Wave, memberships: list[Membership]) -> AddReport:
    """Invites pending join requesters with this wave; accepting the invitation lets them in."""
    invitees = [
        Invitee(email=m.user.email, name=m.user.display_name, organisation=m.user.organisation)
        for m in memberships
        if m.community_id == wave.community_id and m.status == Membership.Status.REQUESTED
    ]
    return invitations_add(wave=wave, invitees=invitees)


@transaction.atomic
def wave_send(*, wave: Wave) -> int:
    """Queues the wave's unsent invitations in batches of 100 for the worker; returns how
    many. The request that calls this returns at once, and the wave page shows progress."""
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    ids = list(
        wave.invitations.filter(status=Invitation.Status.PENDING).values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError(_("There is no unsent invitation in this wave. Add invitees first."))
    wave.status = Wave.Status.SENDING
    wave.save(update_fields=["status"])

    from members.tasks import send_invitation_batch  # noqa: PLC0415 (tasks import this module)

    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        # robust: if the broker is down, the request still succeeds; the invitations stay
        # unsent, and "Send the unsent invitations" queues them again.
        transaction.on_commit(
            lambda batch=batch: send_invitation_batch.delay(wave.pk, batch), robust=True
        )
    return len(ids)


def invitation_batch_send(*, wave_id: int, invitation_ids: list[int]) -> int:
    """Sends a batch; each invitation in its own transaction, so one failure costs one email.
    Marks the wave sent when nothing is left to send."""
    sent = 0
    for invitation_id in invitation_ids:
        try:
            invitation_send(invitation_id=invitation_id, only_pending=True)
        except ValidationError:
            continue  # revoked or already sent meanwhile
        sent += 1
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave_id)
        if not wave.invitations.filter(status=Invitation.Status.PENDING).exists():
            wave.status = Wave.Status.SENT
            wave.sent_at = wave.sent_at or timezone.now()
            wave.save(update_fields=["status", "sent_at"])
    return sent


@transaction.atomic
def invitation_send(
    *, invitation: Invitation | None = None, invitation_id: int | None = None, only_pending=False
) -> Invitation:
    """(Re)sends an invitation with a fresh token: the previous link stops working.

    Locks the row and re-reads it, so that two resends at once, or a revoke during a batch,
    cannot leave the only emailed link pointing at a token that was overwritten.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("community", "wave")
        .get(pk=invitation_id or invitation.pk)
    )
    allowed = [Invitation.Status.PENDING] if only_pending else list(Invitation.OPEN)
    if invitation.status not in allowed:
        raise ValidationError(_("This invitation was already accepted or revoked."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = _hash(token)
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.status = Invitation.Status.SENT
    invitation.sent_at = now
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "expires_at", "status", "sent_at", "send_count"])
    community = invitation.community
    email_send(
        to=invitation.email,
        kind="invitation",
        template_prefix="members/email/invitation",
        context={
            "community": community,
            "invitation": invitation,
            "welcome_message": invitation.wave.welcome_message if invitation.wave else "",
            "accept_path": reverse("members_invitation", kwargs={"token": token}),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
        about=f"invitation:{invitation.pk}",
        period=f"send:{invitation.send_count}",
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError(_("This invitation was already accepted."))
    invitation.status = Invitation.Status.REVOKED
    invitation.token_hash = ""
    invitation.save(update_fields=["status", "token_hash"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    if not token:
        return None
    return (
        Invitation.objects.select_related("community", "wave")
        .filter(token_hash=_hash(token))
        .first()
    )


def invitation_problem(invitation: Invitation | None) -> str:
    """Why a link no longer works, in words for the person who clicked it ("" if it does)."""
    if invitation is None or invitation.status == Invitation.Status.REVOKED:
        return _("This invitation link is not valid: it was withdrawn, or replaced by a newer one.")
    if invitation.status == Invitation.Status.ACCEPTED:
        return _("This invitation has already been used. Sign in to reach the community.")
    if invitation.expires_at and invitation.expires_at < timezone.now():
        return _("This invitation has expired. Ask the community's Core Team to send a new one.")
    return ""


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Single use: the invitee, signed in with the invited address, becomes a member."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    addresses = {user.email.lower()} | {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    if invitation.email.lower() not in addresses:
        raise ValidationError(
            _(
                "This invitation is for %(invited)s, but you are signed in as %(current)s. "
                "Sign out and sign in (or sign up) with %(invited)s to accept it."
            )
            % {"invited": invitation.email, "current": user.email}
        )
    membership = membership_admit(
        community=invitation.community,
        user=user,
        acquisition_source=Membership.Source.DIRECT_INVITATION,
        is_internal=invitation.is_internal,
        wave_id=invitation.wave_id,
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.membership = membership
    try:
        # The token hash stays, so that a second click says "already used".
        invitation.save(update_fields=["status", "accepted_at", "membership"])
    except IntegrityError as error:  # pragma: no cover - guarded by the row lock above
        raise ValidationError(_("This invitation has already been used.")) from error
    if not user.organisation and invitation.organisation:
        User.objects.filter(pk=user.pk).update(organisation=invitation.organisation)
        user_refresh_search(user=User.objects.get(pk=user.pk))
    return membership


def invitations_revoke_for(*, community: Community, user) -> int:
    """When someone leaves, is removed or is declined, their open invitations to that
    community stop working (registered with communities.extensions in apps.py)."""
    addresses = {user.email.lower()} | {
        email.lower()
        for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return (
        Invitation.objects.filter(community=community, status__in=Invitation.OPEN)
        .annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .update(status=Invitation.Status.REVOKED, token_hash="")
    )
