from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events: formats, registration with a waiting list, calendar files."""

    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from communities.extensions import register_standing_changed  # noqa: PLC0415
        from events import panels  # noqa: F401, PLC0415
        from events.services import registrations_withdraw_unseen  # noqa: PLC0415

        register_standing_changed(registrations_withdraw_unseen)
