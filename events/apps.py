from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events: formats, registration with a waiting list, calendar files."""

    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from events import panels  # noqa: F401, PLC0415
