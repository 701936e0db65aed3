from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The one email path. Imports no domain app; every app above sends through it."""

    name = "notifications"
    verbose_name = _("Notifications")
