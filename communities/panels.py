"""The member-home panels this app provides; higher apps register theirs the same way."""

from communities import selectors
from communities.extensions import five_musts, register_home_panel


def _about(request, community, access) -> dict:
    return {"community": community}


def _core_team_alerts(request, community, access) -> dict | None:
    if not access.can_manage:
        return None
    warnings = selectors.role_warnings(community=community)
    return {"community": community, "warnings": warnings[:5], "more": max(len(warnings) - 5, 0)}


def _five_musts(request, community, access) -> dict | None:
    if not (access.can_run_activities or access.is_sponsor):
        return None
    return {"community": community, "musts": five_musts(community)}


register_home_panel(
    key="about", template_name="communities/panels/about.html", get_context=_about, order=10
)
register_home_panel(
    key="core-team-alerts",
    template_name="communities/panels/role_warnings.html",
    get_context=_core_team_alerts,
    order=20,
)
register_home_panel(
    key="five-musts",
    template_name="communities/panels/five_musts.html",
    get_context=_five_musts,
    order=30,
)
