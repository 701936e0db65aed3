"""The members CSV for the Core Team: what members chose to hide stays out."""

import csv
from collections.abc import Iterator

from django.utils.translation import gettext as _

CHUNK = 2000


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A cell a spreadsheet will not run: text that starts like a formula gets a quote."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def member_rows(memberships) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            _("Name"),
            _("Email (if shared)"),
            _("Organisation"),
            _("Country"),
            _("Languages"),
            _("Expertise"),
            _("Interests"),
            _("Tier"),
            _("Internal or external"),
            _("How they learned of us"),
            _("Joined"),
            _("Last took part"),
        ]
    )
    for membership in memberships.iterator(chunk_size=CHUNK):
        user = membership.user
        profile = getattr(user, "member_profile", None)
        shows_email = bool(profile and profile.show_email)
        yield writer.writerow(
            _cell(value)
            for value in [
                user.name,
                user.email if shows_email else "",
                user.organisation,
                user.country.code if user.country else "",
                " ".join(profile.languages) if profile else "",
                "; ".join(profile.expertise) if profile else "",
                "; ".join(profile.interests) if profile else "",
                membership.get_tier_display(),
                _("internal") if membership.is_internal else _("external"),
                membership.get_acquisition_source_display(),
                membership.joined_at.date().isoformat() if membership.joined_at else "",
                membership.last_participated_at.date().isoformat()
                if membership.last_participated_at
                else "",
            ]
        )
