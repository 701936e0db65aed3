"""Extension points: pages of this app that show what higher apps know.

Higher apps register in their `AppConfig.ready()`; this app never imports them.

- The Five Musts panel: `register_must(key)` decorates a check `(community) -> MustResult`.
  A must that nothing has registered shows "not measured yet".
- The member home: `register_home_panel(...)` adds a panel (a template and a function that
  returns its context), shown in `order`.
- `register_membership_ended(listener)`: `listener(community, user)` runs, in the same
  transaction, when someone leaves, is removed, or has a join request declined (members
  revokes their open invitations, so an old link cannot let them back in).
- `register_standing_changed(listener)`: `listener(community, user)` runs, in the same
  transaction and after the change is saved, whenever what someone may see in a community
  may have narrowed: they left, were removed or declined, their tier changed, they became
  an external member, or they lost the sponsor role (events gives up places at events they
  may no longer see). `user` is None when it may have narrowed for everyone: the community
  turned private.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class MustState(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"
    NOT_MEASURED = "not_measured"


@dataclass(frozen=True)
class MustResult:
    state: MustState
    summary: str | Promise
    next_step_label: str | Promise = ""
    next_step_url: str = ""


@dataclass(frozen=True)
class Must:
    key: str
    title: str | Promise
    hint: str | Promise


# The Toolkit's Five Musts, in its order. Which app judges each is up to the apps.
FIVE_MUSTS = (
    Must(
        "know_members",
        _("Know your members"),
        _("A needs survey has answers; profiles are filled."),
    ),
    Must(
        "define_value",
        _("Define value"),
        _("Value to members and to the organisation are written."),
    ),
    Must("plan", _("Plan and define a strategy"), _("A current 30-60-90 day plan exists.")),
    Must(
        "roles",
        _("Decide roles and responsibilities"),
        _("Core Team and key roles assigned, with backups."),
    ),
    Must(
        "measure",
        _("Test, measure, iterate"),
        _("Indicators with baselines and targets; feedback collected."),
    ),
)
MUST_KEYS = {must.key for must in FIVE_MUSTS}

MustCheck = Callable[..., MustResult]
_must_checks: dict[str, MustCheck] = {}


def register_must(key: str) -> Callable[[MustCheck], MustCheck]:
    if key not in MUST_KEYS:
        raise ValueError(f"{key!r} is not one of the Five Musts: {sorted(MUST_KEYS)}")

    def decorator(check: MustCheck) -> MustCheck:
        _must_checks[key] = check
        return check

    return decorator


@dataclass(frozen=True)
class MustLine:
    must: Must
    result: MustResult


def five_musts(community) -> list[MustLine]:
    """The Five Musts for a community, each judged by the app that registered it."""
    lines = []
    for must in FIVE_MUSTS:
        check = _must_checks.get(must.key)
        result = (
            check(community)
            if check
            else MustResult(MustState.NOT_MEASURED, _("Not measured yet."))
        )
        lines.append(MustLine(must=must, result=result))
    return lines


@dataclass(frozen=True)
class HomePanel:
    key: str
    template_name: str
    get_context: Callable[..., dict]
    order: int


_home_panels: dict[str, HomePanel] = {}


def register_home_panel(
    *, key: str, template_name: str, get_context: Callable[..., dict], order: int = 100
) -> None:
    """Adds a panel to the member home. `get_context(request, community, access)` returns
    the panel's template context, or None to hide the panel for this viewer."""
    _home_panels[key] = HomePanel(key, template_name, get_context, order)


def home_panels() -> list[HomePanel]:
    return sorted(_home_panels.values(), key=lambda panel: (panel.order, panel.key))


_membership_ended: list[Callable[..., None]] = []


def register_membership_ended(listener: Callable[..., None]) -> None:
    if listener not in _membership_ended:
        _membership_ended.append(listener)


def membership_ended(*, community, user) -> None:
    for listener in _membership_ended:
        listener(community=community, user=user)


_standing_changed: list[Callable[..., None]] = []


def register_standing_changed(listener: Callable[..., None]) -> None:
    if listener not in _standing_changed:
        _standing_changed.append(listener)


def standing_changed(*, community, user) -> None:
    for listener in _standing_changed:
        listener(community=community, user=user)
