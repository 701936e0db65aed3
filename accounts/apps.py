from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People and their personal settings. The bottom layer: every other app may use it."""

    name = "accounts"
    verbose_name = _("Accounts")
