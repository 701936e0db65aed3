"""The member-home panel of this app: the next events this person may see."""

from communities.extensions import register_home_panel
from events import rules, selectors

PANEL_EVENTS = 3


def _upcoming_panel(request, community, access) -> dict | None:
    if not rules.visibilities_for(access):
        return None
    events = list(selectors.event_list(access=access)[:PANEL_EVENTS])
    tasks = selectors.my_open_tasks(access=access) if access.is_authenticated else []
    return {
        "community": community,
        "events": events,
        "tasks": tasks,
        "can_organise": rules.can_organise(access),
    }


register_home_panel(
    key="upcoming-events",
    template_name="events/panels/upcoming.html",
    get_context=_upcoming_panel,
    order=20,
)
