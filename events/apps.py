from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events: formats, registration with a waiting list, calendar files."""

    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from accounts.extensions import register_user_deleting  # noqa: PLC0415
        from communities.extensions import register_standing_changed  # noqa: PLC0415
        from events import panels  # noqa: F401, PLC0415
        from events.models import Registration  # noqa: PLC0415
        from events.services import (  # noqa: PLC0415
            registrations_release_of,
            registrations_withdraw_unseen,
        )

        register_standing_changed(registrations_withdraw_unseen)
        register_user_deleting(registrations_release_of, handles=(Registration,))
