"""Extension points of the profile page and of people search; higher apps register in ready().

- `register_profile_section(...)`: adds a form to the profile page, saved in the same
  transaction as the personal settings (members/ adds expertise, interests, photo...).
- `register_search_terms(provider)`: `provider(user) -> {"A"|"B"|"C": text}` adds words to a
  person's search document, so people can be found by what higher apps know about them.
- `register_search_listener(listener)`: `listener(user_ids)` runs right after search documents
  change, in the same transaction (communities copies them onto memberships, so a directory
  search reads one indexed table).
- `register_user_deleting(listener, handles=...)`: `listener(user=...)` runs in the same
  transaction just before a person's account is deleted (staff, in the admin), so that higher
  apps end what the deletion would otherwise remove unseen (events gives up the person's places
  at upcoming events, so the people waiting move up; communities ends their memberships).
  Listeners run in the reverse of their registration, so the apps above run first (events
  before communities: the places are given up before the memberships end). `handles`: the
  models whose rows of the person's the listener settles; the admin lets staff delete the
  person even where those models' own admin allows no deletion (registrations are read-only
  there).
- `register_user_deleting_warning(provider)`: `provider(users) -> [message]` says what
  deleting these people together (one, or those selected for a bulk deletion) would leave
  behind (communities: one whose only Core Team members they are); the admin's confirmation
  pages show the messages before staff confirm.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db.models import Model


@dataclass(frozen=True)
class ProfileSection:
    key: str
    title: str
    form_class: type[forms.Form]
    # user -> keyword arguments for the form (initial, instance...)
    form_kwargs: Callable[..., dict]
    # (user, form) -> None; runs inside the profile page's transaction
    save: Callable[..., None]
    order: int = 100


_profile_sections: dict[str, ProfileSection] = {}
_search_term_providers: list[Callable[..., dict[str, str]]] = []


def register_profile_section(section: ProfileSection) -> None:
    _profile_sections[section.key] = section


def profile_sections() -> list[ProfileSection]:
    return sorted(_profile_sections.values(), key=lambda section: (section.order, section.key))


def register_search_terms(provider: Callable[..., dict[str, str]]) -> None:
    if provider not in _search_term_providers:
        _search_term_providers.append(provider)


def search_terms(user) -> dict[str, list[str]]:
    terms: dict[str, list[str]] = {"A": [], "B": [], "C": []}
    for provider in _search_term_providers:
        for weight, text in provider(user).items():
            if text:
                terms[weight].append(text)
    return terms


_search_listeners: list[Callable[[list[int]], None]] = []


def register_search_listener(listener: Callable[[list[int]], None]) -> None:
    if listener not in _search_listeners:
        _search_listeners.append(listener)


def search_listeners() -> list[Callable[[list[int]], None]]:
    return list(_search_listeners)


_user_deleting_listeners: list[Callable[..., None]] = []
_user_deleting_handled: set[type[Model]] = set()


def register_user_deleting(
    listener: Callable[..., None], *, handles: tuple[type[Model], ...] = ()
) -> None:
    if listener not in _user_deleting_listeners:
        _user_deleting_listeners.append(listener)
    _user_deleting_handled.update(handles)


def user_deleting_listeners() -> list[Callable[..., None]]:
    return list(_user_deleting_listeners)


def user_deleting_handled_models() -> set[type[Model]]:
    return set(_user_deleting_handled)


_user_deleting_warnings: list[Callable[..., list]] = []


def register_user_deleting_warning(provider: Callable[..., list]) -> None:
    if provider not in _user_deleting_warnings:
        _user_deleting_warnings.append(provider)


def user_deleting_warnings(users) -> list:
    users = list(users)
    return [message for provider in _user_deleting_warnings for message in provider(users)]
