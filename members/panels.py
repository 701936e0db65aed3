"""The member-home panel of this app: your profile, and the directory."""

from communities.extensions import register_home_panel
from members.selectors import onboarding_for
from members.services import profile_get


def _profile_panel(request, community, access) -> dict | None:
    if not access.is_active_member:
        return None
    profile = profile_get(user=request.user)
    return {"community": community, "profile": profile, "complete": profile.is_complete}


register_home_panel(
    key="your-profile",
    template_name="members/panels/profile.html",
    get_context=_profile_panel,
    order=15,
)


def _onboarding_panel(request, community, access) -> dict | None:
    if not access.is_active_member:
        return None
    onboarding = onboarding_for(membership=access.membership)
    if onboarding is None:
        return None
    wave, items = onboarding
    return {
        "community": community,
        "wave": wave,
        "items": items,
        "done": sum(item["done"] for item in items),
    }


register_home_panel(
    key="onboarding",
    template_name="members/panels/onboarding.html",
    get_context=_onboarding_panel,
    order=5,
)
