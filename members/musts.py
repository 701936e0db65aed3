"""The Five Musts' "know your members", judged from the needs survey and the profiles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities.extensions import MustResult, MustState, register_must
from communities.models import Membership
from members.selectors import profile_complete_q
from members.survey import survey_response_rate

SURVEY_TARGET = 0.3  # share of active members who answered the needs survey
PROFILE_TARGET = 0.5  # share of active members with a complete profile


@register_must("know_members")
def know_members(community) -> MustResult:
    answered, active = survey_response_rate(community=community)
    complete = (
        Membership.objects.active()
        .filter(community=community)
        .filter(profile_complete_q("user__"))
        .count()
    )
    has_questions = community.needs_questions.exists()
    survey_ok = has_questions and active and answered / active >= SURVEY_TARGET
    profiles_ok = active and complete / active >= PROFILE_TARGET
    summary = _(
        "%(answered)s of %(active)s members answered the needs survey; "
        "%(complete)s have a complete profile."
    ) % {"answered": answered, "active": active, "complete": complete}
    if survey_ok and profiles_ok:
        return MustResult(MustState.MET, summary)
    if not has_questions:
        step = (_("Write the needs survey"), "members_survey_questions")
    elif not survey_ok:
        step = (_("See who answered"), "members_survey_results")
    else:
        step = (_("Find members to nudge"), "members_directory")
    state = MustState.PARTLY if (answered or complete) else MustState.NOT_MET
    return MustResult(state, summary, step[0], reverse(step[1], kwargs={"slug": community.slug}))
