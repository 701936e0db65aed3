"""Every URL of the project, for every actor: the status a GET answers.

`test_every_url_pattern_has_a_row` fails as soon as a URL pattern is added without a row
here, so no page ships without someone deciding who may see it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from tests.conftest import ACTORS


@dataclass(frozen=True)
class Row:
    statuses: dict[str, int]
    kwargs: Callable[[dict], dict] = field(default=lambda objects: {})


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


def signed_in(status: int, *, visitor: int = 302) -> dict[str, int]:
    return {**everyone(status), "visitor": visitor}


MATRIX: dict[str, Row] = {
    "home": Row(everyone(200)),
    "healthz": Row(everyone(200)),
    "accounts:profile": Row(signed_in(200)),
    # A GET changes nothing and sends the browser back where it came from.
    "set_language": Row(everyone(302)),
    # Nobody in the matrix is staff: the admin sends everyone to its own login.
    "admin:index": Row(everyone(302)),
}

# Whole groups of patterns that are not ours to decide, each listed once with the reason.
EXEMPT_URLCONFS = {
    "allauth.urls": "allauth's sign-up, login, email and password pages: open to all by "
    "design; their behaviour is tested in tests/accounts.",
}
EXEMPT_NAMESPACES = {
    "admin": "Django admin: staff only; admin:index has a row, and every admin view goes "
    "through the same admin_view guard.",
}


def iter_patterns(
    patterns=None, namespace: str = "", urlconf: str = ""
) -> Iterator[tuple[str, str, str]]:
    """(full name, namespace, urlconf module) for every URL pattern of the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner_namespace = entry.namespace or namespace
            if entry.namespace and namespace:
                inner_namespace = f"{namespace}:{entry.namespace}"
            module = entry.urlconf_name
            module_name = module if isinstance(module, str) else getattr(module, "__name__", "")
            # Keep the outermost include: allauth.urls includes allauth.account.urls, and so on.
            yield from iter_patterns(entry.url_patterns, inner_namespace, urlconf or module_name)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"<unnamed {entry.pattern}>", namespace, urlconf


def is_exempt(namespace: str, urlconf: str) -> bool:
    return urlconf in EXEMPT_URLCONFS or namespace.split(":", maxsplit=1)[0] in EXEMPT_NAMESPACES


def test_every_url_pattern_has_a_row():
    missing = sorted(
        name
        for name, namespace, urlconf in iter_patterns()
        if not is_exempt(namespace, urlconf) and name not in MATRIX
    )
    assert not missing, f"URL patterns without a permission-matrix row: {missing}"


def test_every_row_names_a_real_url_and_every_actor():
    names = {name for name, _namespace, _urlconf in iter_patterns()}
    for name, row in MATRIX.items():
        assert name in names, f"{name} has a row but no URL pattern"
        assert set(row.statuses) == set(ACTORS), f"{name} must give a status for every actor"


def test_the_harness_notices_a_pattern_without_a_row():
    """A negative control: a pattern the matrix does not know is reported as missing."""
    patterns = [*get_resolver().url_patterns, path("new-page/", lambda request: None, name="new")]
    unexempt = {name for name, ns, conf in iter_patterns(patterns) if not is_exempt(ns, conf)}
    assert "new" in unexempt
    assert "new" not in MATRIX


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, actor, client_as, community, other_community):
    row = MATRIX[url_name]
    client = client_as(actor)
    objects = {"community": community, "other_community": other_community}
    response = client.get(reverse(url_name, kwargs=row.kwargs(objects)))
    assert response.status_code == row.statuses[actor], (
        f"{actor} GET {url_name}: expected {row.statuses[actor]}, got {response.status_code}"
    )
