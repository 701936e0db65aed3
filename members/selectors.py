import re
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import SEARCH_CONFIG
from communities.models import Membership
from members.models import Invitation, NeedsAnswer, Profile, ProfileLanguage, Wave

WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    return WORD.findall(text.lower())[:8]


def directory_search(
    *, community, query: str = "", country: str = "", language: str = "", tier: str = ""
) -> QuerySet[Membership]:
    """Active members of a community matching every word of `query` by prefix ("agri" finds
    "agriculture") across name, organisation, country, expertise and interests, with optional
    country, language and tier filters, by name.

    On PostgreSQL the words become a prefix tsquery against the GIN-indexed search vector;
    elsewhere they match the plain search text.
    """
    # One filter() call: each call clones the query, and this runs on every keystroke.
    conditions = Q(community=community)
    if tier:
        conditions &= Q(tier=tier)
    if country:
        conditions &= Q(country=country)
    if language:
        conditions &= Q(
            Exists(ProfileLanguage.objects.filter(user_id=OuterRef("user_id"), code=language))
        )
    words = search_words(query)
    if words and connection.vendor == "postgresql":
        # The membership's copy of the search document, GIN-indexed (communities/search.py).
        tsquery = " & ".join(f"{word}:*" for word in words)
        conditions &= Q(search_vector=SearchQuery(tsquery, search_type="raw", config=SEARCH_CONFIG))
    else:
        for word in words:
            conditions &= Q(user__search_text__icontains=word)
    members = Membership.objects.active().filter(conditions)
    return members.order_by("sort_name", "pk")


def directory_cards() -> QuerySet:
    """Where a page of directory cards loads its rows from (`CappedPaginator(rows=...)`):
    one dict per member with just what a card shows (members/templatetags/member_tags.py),
    read without building three model instances per card."""
    return Membership.objects.values(
        "tier",
        "country",
        "user_id",
        "user__display_name",
        "user__email",
        "user__organisation",
        "user__member_profile__photo",
        "user__member_profile__expertise",
        "user__member_profile__languages",
        "user__member_profile__show_email",
    )


def directory_export(*, community) -> QuerySet[Membership]:
    """Every active member, for the Core Team's CSV, streamed in chunks."""
    # The search columns are for the WHERE clause only: not worth carrying 50,000 times over.
    return (
        directory_search(community=community)
        .select_related("user", "user__member_profile")
        .defer(
            "search_vector",
            "request_message",
            "user__search_vector",
            "user__search_text",
            "user__password",
            "user__member_profile__bio",
        )
    )


ACTIVE_DAYS = 90
COMPUTED_CHECKLIST = {"profile", "survey", "first_event"}


def profile_complete_q(prefix: str = "") -> Q:
    """The database form of Profile.is_complete, for counting."""
    return (
        ~Q(**{f"{prefix}display_name": ""})
        & ~Q(**{f"{prefix}organisation": ""})
        & ~Q(**{f"{prefix}country": ""})
        & ~Q(**{f"{prefix}member_profile__bio": ""})
        & Q(**{f"{prefix}member_profile__expertise__0__isnull": False})
    )


def wave_list(*, community) -> QuerySet[Wave]:
    return community.waves.annotate(
        invitee_count=Count("invitations", filter=~Q(invitations__status="revoked")),
        accepted_count=Count("invitations", filter=Q(invitations__status="accepted")),
    ).order_by("-planned_date", "-pk")


def wave_funnel(*, wave: Wave) -> list[tuple[str, int]]:
    """Invited, accepted, profile complete, attended a first event, active (took part in the
    last 90 days): read from invitations and the membership's participation dates."""
    since = timezone.now() - timedelta(days=ACTIVE_DAYS)
    accepted = Q(status=Invitation.Status.ACCEPTED, membership__status=Membership.Status.ACTIVE)
    counts = wave.invitations.aggregate(
        invited=Count(
            "pk", filter=Q(status__in=[Invitation.Status.SENT, Invitation.Status.ACCEPTED])
        ),
        accepted=Count("pk", filter=accepted),
        profile=Count("pk", filter=accepted & profile_complete_q("membership__user__")),
        first_event=Count(
            "pk", filter=accepted & Q(membership__first_participated_at__isnull=False)
        ),
        active=Count("pk", filter=accepted & Q(membership__last_participated_at__gte=since)),
    )
    return [
        (str(_("Invited")), counts["invited"]),
        (str(_("Accepted")), counts["accepted"]),
        (str(_("Profile complete")), counts["profile"]),
        (str(_("Attended a first event")), counts["first_event"]),
        (str(_("Active (last 90 days)")), counts["active"]),
    ]


def checklist_state(
    *,
    checklist: list[dict],
    membership: Membership,
    ticks: set[str],
    profile_complete: bool,
    answered_survey: bool,
) -> list[dict]:
    """Each checklist item with whether it is done, and whether the member ticks it
    themselves (profile, needs survey and first event are read from data)."""
    computed = {
        "profile": profile_complete,
        "survey": answered_survey,
        "first_event": membership.first_participated_at is not None,
    }
    return [
        {
            **item,
            "done": computed.get(item["key"], item["key"] in ticks),
            "manual": item["key"] not in COMPUTED_CHECKLIST,
        }
        for item in checklist
    ]


def wave_member_progress(*, wave: Wave) -> list[dict]:
    """For the Core Team: each accepted member of the wave and their checklist."""
    invitations = (
        wave.invitations.filter(status=Invitation.Status.ACCEPTED, membership__isnull=False)
        .select_related("membership__user__member_profile")
        .prefetch_related("membership__checklist_ticks")
        .annotate(
            answered_survey=Exists(
                NeedsAnswer.objects.filter(membership_id=OuterRef("membership_id"))
            )
        )
        .order_by("email")
    )
    rows = []
    for invitation in invitations:
        membership = invitation.membership
        profile = getattr(membership.user, "member_profile", None)
        ticks = {tick.key for tick in membership.checklist_ticks.all()}
        items = checklist_state(
            checklist=wave.checklist,
            membership=membership,
            ticks=ticks,
            profile_complete=bool(profile and profile.is_complete),
            answered_survey=invitation.answered_survey,
        )
        rows.append(
            {"membership": membership, "items": items, "done": sum(i["done"] for i in items)}
        )
    return rows


def onboarding_for(*, membership: Membership) -> tuple[Wave, list[dict]] | None:
    """The member's own checklist, from the wave they came in with (None if none)."""
    invitation = (
        Invitation.objects.filter(membership=membership, wave__isnull=False)
        .select_related("wave")
        .order_by("-accepted_at")
        .first()
    )
    if invitation is None:
        return None
    profile = Profile.objects.filter(user_id=membership.user_id).first()
    ticks = set(membership.checklist_ticks.values_list("key", flat=True))
    items = checklist_state(
        checklist=invitation.wave.checklist,
        membership=membership,
        ticks=ticks,
        profile_complete=bool(profile and profile.is_complete),
        answered_survey=NeedsAnswer.objects.filter(membership=membership).exists(),
    )
    return invitation.wave, items


def wave_invitations(*, wave: Wave) -> QuerySet[Invitation]:
    return wave.invitations.order_by("status", "email")


def wave_send_progress(*, wave: Wave) -> dict[str, int]:
    counts = wave.invitations.exclude(status=Invitation.Status.REVOKED).aggregate(
        total=Count("pk"), sent=Count("pk", filter=~Q(status=Invitation.Status.PENDING))
    )
    return {"total": counts["total"], "sent": counts["sent"]}
