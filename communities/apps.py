from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    """Communities, memberships with their tier, named roles, and the access rules."""

    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from accounts.extensions import (  # noqa: PLC0415
            register_search_listener,
            register_user_deleting,
            register_user_deleting_warning,
        )

        # This app's own Five Musts checks and member-home panels.
        from communities import musts, panels  # noqa: F401, PLC0415
        from communities.search import memberships_copy_search  # noqa: PLC0415
        from communities.selectors import core_team_deletion_warnings  # noqa: PLC0415
        from communities.services import memberships_delete_of  # noqa: PLC0415

        register_search_listener(memberships_copy_search)
        register_user_deleting(memberships_delete_of)
        register_user_deleting_warning(core_team_deletion_warnings)
