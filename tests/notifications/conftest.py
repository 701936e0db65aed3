import datetime as dt
from pathlib import Path

import pytest

from notifications.services import email_send

TEST_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STARTS_AT = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _test_email_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    ]


@pytest.fixture
def send_greeting():
    def send(**overrides):
        arguments = {
            "to": "member@example.org",
            "kind": "greeting",
            "template_prefix": "notifications_test/greeting",
            "context": {"name": "Mei", "starts_at": STARTS_AT},
            "about": "event:1",
            "period": "",
        }
        return email_send(**{**arguments, **overrides})

    return send
