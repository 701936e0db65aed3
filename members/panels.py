"""The member-home panel of this app: your profile, and the directory."""

from communities.extensions import register_home_panel
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
