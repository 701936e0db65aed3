"""`manage.py seed_demo`: realistic demo data, safe to run again.

An extension point, like the admin's autodiscovery: every installed app may have a `demo`
module with `seed(*, stdout, **options) -> None`; they run bottom layer first
(INSTALLED_APPS order), so each app can build on the rows of the apps below it.

`--members N` also builds a community of N members for scale tests (members/demo.py).
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Creates or refreshes demo data (idempotent) and prints a demo login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=0,
            help="Also build (or top up) a community with this many members, e.g. 50000.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo accounts share a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo accounts (one of them "
                "an administrator) share a published password. Use --force to seed anyway."
            )
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                try:
                    module = import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app_config.name}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout, members=options["members"])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ as:"))
        for email, display_name, _organisation, _country, _staff in DEMO_USERS:
            self.stdout.write(f"  {email:<32} {display_name}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
