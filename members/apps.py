from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """Profiles, the directory; later invitations, onboarding waves and the needs survey."""

    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from accounts.extensions import register_profile_section, register_search_terms  # noqa: PLC0415
        from communities.extensions import register_membership_ended  # noqa: PLC0415
        from members import musts, panels  # noqa: F401, PLC0415
        from members.profile_section import SECTION, search_terms  # noqa: PLC0415
        from members.waves import invitations_revoke_for  # noqa: PLC0415

        register_profile_section(SECTION)
        register_search_terms(search_terms)
        register_membership_ended(invitations_revoke_for)
