"""Reading invitee lists: pasted addresses and CSV files, with every problem reported."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_INVITEES = 2000
MAX_CSV_BYTES = 2 * 1024 * 1024


@dataclass
class Invitee:
    email: str
    name: str = ""
    organisation: str = ""
    is_internal: bool = False


@dataclass
class Parsed:
    invitees: list[Invitee] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where/what, why)


def _address(entry: str) -> tuple[str, str]:
    """'Ana Souza <ana@example.org>' -> ('ana@example.org', 'Ana Souza')."""
    entry = entry.strip().strip('"')
    if "<" in entry and entry.endswith(">"):
        name, _sep, email = entry[:-1].partition("<")
        return email.strip().lower(), name.strip().strip('"')
    return entry.lower(), ""


def parse_pasted(text: str) -> Parsed:
    """Addresses separated by new lines, commas or semicolons."""
    parsed = Parsed()
    for raw in text.replace(";", "\n").replace(",", "\n").splitlines():
        if not raw.strip():
            continue
        email, name = _address(raw)
        try:
            validate_email(email)
        except ValidationError:
            parsed.problems.append((raw.strip(), _("not a valid email address")))
            continue
        parsed.invitees.append(Invitee(email=email, name=name[:120]))
    return parsed


INTERNAL_WORDS = {"internal", "interne", "interno", "yes", "true", "1"}
EXTERNAL_WORDS = {"external", "externe", "externo", "no", "false", "0", ""}


def parse_csv(upload) -> Parsed:
    """A CSV with a header row: email (required), name, organisation, internal (internal or
    external). Each bad row is reported with its line number; the good rows go in."""
    parsed = Parsed()
    if upload.size > MAX_CSV_BYTES:
        parsed.problems.append((upload.name, _("the file is larger than 2 MB")))
        return parsed
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append((upload.name, _("the file is not UTF-8 text; save it as CSV UTF-8")))
        return parsed
    reader = csv.DictReader(io.StringIO(text))
    try:
        columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    except csv.Error as error:
        parsed.problems.append(
            (upload.name, _("not a readable CSV file (%(error)s)") % {"error": error})
        )
        return parsed
    if "email" not in columns:
        parsed.problems.append(
            (
                upload.name,
                _("no “email” column in the first row (email, name, organisation, internal)"),
            )
        )
        return parsed
    rows = []
    try:
        rows.extend((reader.line_num, row) for row in reader)
    except csv.Error as error:  # e.g. a field too long: report it, keep the rows before
        parsed.problems.append(
            (
                _("line %(line)s") % {"line": reader.line_num + 1},  # the unreadable one
                _("not readable: %(error)s") % {"error": error},
            )
        )
    for line, row in rows:
        where = _("line %(line)s") % {"line": line}
        if None in row:  # more fields than the header has columns
            row.pop(None)
            parsed.problems.append(
                (where, _("more fields than columns: quote values that contain commas"))
            )
            continue
        values = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        email = values.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            parsed.problems.append((f"{where}: {email or '-'}", _("not a valid email address")))
            continue
        kind = values.get("internal", values.get("internal or external", "")).lower()
        if kind not in INTERNAL_WORDS | EXTERNAL_WORDS:
            parsed.problems.append(
                (f"{where}: {email}", _("“internal” must be internal or external"))
            )
            continue
        parsed.invitees.append(
            Invitee(
                email=email,
                name=values.get("name", "")[:120],
                organisation=values.get("organisation", "")[:200],
                is_internal=kind in INTERNAL_WORDS,
            )
        )
    return parsed
