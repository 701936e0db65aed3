"""Every URL of the project, for every actor: the status a GET answers.

`test_every_url_pattern_has_a_row` fails as soon as a URL pattern is added without a row
here, so no page ships without someone deciding who may see it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from communities.models import Membership, RoleAssignment
from events.models import ActionItem, AgendaSegment, CalendarToken, ChecklistItem, Material
from members.models import NeedsQuestion
from tests.conftest import ACTORS
from tests.factories import (
    EventFactory,
    InvitationFactory,
    MembershipFactory,
    RegistrationFactory,
    RoleAssignmentFactory,
    WaveFactory,
)


@dataclass(frozen=True)
class Row:
    statuses: dict[str, int]
    kwargs: Callable[[dict], dict] = field(default=lambda objects: {})
    method: str = "get"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


def signed_in(status: int, *, visitor: int = 302) -> dict[str, int]:
    return {**everyone(status), "visitor": visitor}


def allowed(status: int, *actors: str) -> dict[str, int]:
    """`status` for these actors; a sign-in redirect for visitors; 403 for everyone else."""
    return {**everyone(403), "visitor": 302, **dict.fromkeys(actors, status)}


MEMBERS = ("member", "core_group", "core_team")
READERS = (*MEMBERS, "sponsor")  # member-only pages: sponsors read them
ORGANISERS = ("core_group", "core_team")


def event_seen_by(status: int) -> dict[str, int]:
    """A members' event: readers get `status`; a visitor is asked to sign in; anyone else
    gets 404 (it does not exist for them)."""
    return {**everyone(404), "visitor": 302, **dict.fromkeys(READERS, status)}


def community(objects):
    return {"slug": objects["community"].slug}


def community_and(name):
    return lambda objects: {"slug": objects["community"].slug, "pk": objects[name].pk}


def event_and(name):
    return lambda objects: {
        "slug": objects["community"].slug,
        "pk": objects["event"].pk,
        "segment": objects[name].pk,
    }


def event_item(name):
    return lambda objects: {
        "slug": objects["community"].slug,
        "pk": objects["event"].pk,
        "item": objects[name].pk,
    }


def event_thing(name, kwarg):
    return lambda objects: {
        "slug": objects["community"].slug,
        "pk": objects["event"].pk,
        kwarg: objects[name].pk,
    }


def canvas_section(objects):
    return {"slug": objects["community"].slug, "section": "purpose"}


MATRIX: dict[str, Row] = {
    "home": Row(everyone(200)),
    "healthz": Row(everyone(200)),
    "accounts:profile": Row(signed_in(200)),
    # A GET changes nothing and sends the browser back where it came from.
    "set_language": Row(everyone(302)),
    # Nobody in the matrix is staff: the admin sends everyone to its own login.
    "admin:index": Row(everyone(302)),
    # Communities. The community here is public and open; tests/communities/test_access.py
    # runs every community URL against a private one, where outsiders get 404.
    "community_create": Row(signed_in(200)),
    "community_public": Row(everyone(200), community),
    "community_join": Row(everyone(302), community, "post"),
    "community_leave": Row(allowed(200, *MEMBERS), community),
    "community_home": Row(allowed(200, *READERS), community),
    "community_canvas": Row(allowed(200, *READERS), community),
    "community_roles": Row(allowed(200, *READERS), community),
    "community_canvas_edit": Row(allowed(200, "core_team"), canvas_section),
    "community_settings": Row(allowed(200, "core_team"), community),
    "community_people": Row(allowed(200, "core_team"), community),
    # An empty form: the Core Team gets it back with errors.
    "community_role_assign": Row(allowed(200, "core_team"), community, "post"),
    "community_role_edit": Row(allowed(200, "core_team"), community_and("role")),
    "community_role_remove": Row(allowed(200, "core_team"), community_and("role")),
    "community_role_hand_over": Row(allowed(302, "core_team"), community_and("role"), "post"),
    "community_person_tier": Row(allowed(302, "core_team"), community_and("membership"), "post"),
    "community_person_request": Row(
        allowed(302, "core_team"), community_and("join_request"), "post"
    ),
    "community_person_internal": Row(
        allowed(302, "core_team"), community_and("membership"), "post"
    ),
    "community_person_remove": Row(allowed(200, "core_team"), community_and("membership")),
    # Members: onboarding waves and invitations (Core Team), the invitation link (anyone).
    "members_waves": Row(allowed(200, "core_team"), community),
    "members_wave": Row(allowed(200, "core_team"), community_and("wave")),
    # An empty post: the page comes back (the source is unknown: 404 for the Core Team).
    "members_wave_add": Row(allowed(404, "core_team"), community_and("wave"), "post"),
    "members_wave_send": Row(allowed(302, "core_team"), community_and("wave"), "post"),
    "members_wave_progress": Row(allowed(200, "core_team"), community_and("wave")),
    "members_invitation_resend": Row(
        allowed(302, "core_team"), community_and("invitation"), "post"
    ),
    "members_invitation_revoke": Row(
        allowed(302, "core_team"), community_and("invitation"), "post"
    ),
    # An unknown token: the same friendly page for everyone.
    "members_invitation": Row(everyone(404), lambda objects: {"token": "not-a-token"}),
    # Members tick their own items; this item is not on any checklist of theirs: 404.
    "members_checklist_tick": Row(
        {**allowed(404, *MEMBERS), "sponsor": 403},
        lambda objects: {"slug": objects["community"].slug, "key": "introduce"},
        "post",
    ),
    # The needs survey: members answer, the Core Team writes it and reads the totals.
    "members_survey": Row(allowed(200, *MEMBERS), community),
    "members_survey_questions": Row(allowed(200, "core_team"), community),
    "members_survey_question_delete": Row(allowed(200, "core_team"), community_and("question")),
    "members_survey_results": Row(allowed(200, "core_team"), community),
    # Events. The event here is for members, with seats: readers see it, organisers run it.
    "events:mine": Row(signed_in(200)),
    "events:calendars": Row(signed_in(200)),
    # Calendar feeds are fetched without a session: the token in the URL is the key.
    "events:member_feed": Row(
        everyone(200), lambda objects: {"token": objects["personal_calendar"].token}
    ),
    "events:community_private_feed": Row(
        everyone(200),
        lambda objects: {
            "slug": objects["community"].slug,
            "token": objects["community_calendar"].token,
        },
    ),
    "events:community_feed": Row(everyone(200), community),
    "events:list": Row(everyone(200), community),
    "events:create": Row(allowed(200, *ORGANISERS), community),
    "events:detail": Row(event_seen_by(200), community_and("event")),
    "events:ics": Row(event_seen_by(200), community_and("event")),
    # A GET asks for confirmation; nobody in the matrix is registered: back to the event.
    "events:unregister": Row(event_seen_by(302), community_and("event")),
    # Members get a seat; the sponsor is told only members may register: both redirected.
    "events:register": Row(event_seen_by(302), community_and("event"), "post"),
    "events:edit": Row(allowed(200, *ORGANISERS), community_and("event")),
    "events:cancel": Row(allowed(200, *ORGANISERS), community_and("event")),
    "events:roster": Row(allowed(200, *ORGANISERS), community_and("event")),
    # A GET asks the organiser to confirm.
    "events:registration_cancel": Row(
        allowed(200, *ORGANISERS), event_thing("registration", "registration")
    ),
    "events:agenda": Row(allowed(200, *ORGANISERS), community_and("event")),
    "events:checklist": Row(allowed(200, *ORGANISERS), community_and("event")),
    "events:check_in": Row(allowed(200, *ORGANISERS), community_and("event")),
    "events:follow_up": Row(allowed(200, *ORGANISERS), community_and("event")),
    # Empty posts: the follow-up page comes back with the errors at their fields.
    "events:material_add": Row(allowed(200, *ORGANISERS), community_and("event"), "post"),
    "events:action_add": Row(allowed(200, *ORGANISERS), community_and("event"), "post"),
    # A members' file: readers download it.
    "events:material": Row(event_seen_by(200), event_thing("material", "material")),
    "events:material_remove": Row(
        allowed(302, *ORGANISERS), event_thing("material", "material"), "post"
    ),
    # The action item belongs to the member in the matrix objects, not to an actor.
    "events:action_done": Row(
        {**event_seen_by(403), "visitor": 302, **dict.fromkeys(ORGANISERS, 302)},
        event_thing("action", "action"),
        "post",
    ),
    "events:action_remove": Row(allowed(302, *ORGANISERS), event_thing("action", "action"), "post"),
    # Nobody in the matrix attended (the event is next week): back to the event page.
    "events:feedback": Row(event_seen_by(302), community_and("event")),
    "events:check_in_toggle": Row(
        allowed(302, *ORGANISERS),
        lambda objects: {
            "slug": objects["community"].slug,
            "pk": objects["event"].pk,
            "registration": objects["registration"].pk,
        },
        "post",
    ),
    "events:checklist_assign": Row(allowed(302, *ORGANISERS), event_item("task"), "post"),
    "events:checklist_remove": Row(allowed(302, *ORGANISERS), event_item("task"), "post"),
    # The task is nobody's: only organisers tick it (an assignee may tick their own).
    "events:checklist_done": Row(
        {**event_seen_by(403), "visitor": 302, **dict.fromkeys(ORGANISERS, 302)},
        event_item("task"),
        "post",
    ),
    "events:agenda_move": Row(allowed(302, *ORGANISERS), event_and("segment"), "post"),
    "events:agenda_remove": Row(allowed(302, *ORGANISERS), event_and("segment"), "post"),
    # Members.
    "members_directory": Row(allowed(200, *READERS), community),
    "members_directory_export": Row(allowed(200, "core_team"), community),
    # The member in the matrix has no photo: readers get a 404, the rest never get that far.
    "members_photo": Row(
        allowed(404, *READERS),
        lambda objects: {
            "slug": objects["community"].slug,
            "user_id": objects["membership"].user_id,
        },
    ),
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


def material_file(event):
    material = Material(event=event, title="Slides", visibility="members", filename="s.txt")
    material.file.save("s.txt", ContentFile(b"slides"), save=False)
    material.save()
    return material


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def matrix_objects(community, other_community):
    """The objects the URLs address, all inside `community`."""
    objects_owner = MembershipFactory(community=community).user
    return {
        "community": community,
        "other_community": other_community,
        "role": RoleAssignmentFactory(
            community=community,
            role=RoleAssignment.Role.LEADER,
            holder=MembershipFactory(community=community).user,
        ),
        "membership": MembershipFactory(community=community),
        "join_request": MembershipFactory(community=community, status=Membership.Status.REQUESTED),
        "wave": (wave := WaveFactory(community=community)),
        "invitation": InvitationFactory(wave=wave, community=community),
        "event": (event := EventFactory(community=community, capacity=5)),
        # Each actor's POST runs on fresh objects (one test per actor), so removing is safe.
        "segment": AgendaSegment.objects.create(
            event=event, title="Introductions", minutes=10, kind="discussion"
        ),
        "registration": RegistrationFactory(
            event=event, user=MembershipFactory(community=community).user
        ),
        "material": material_file(event),
        "action": ActionItem.objects.create(
            event=event,
            title="Share the model contract",
            owner=MembershipFactory(community=community).user,
            due_date=event.starts_at.date(),
        ),
        "personal_calendar": CalendarToken.objects.create(user=objects_owner),
        "community_calendar": CalendarToken.objects.create(user=objects_owner, community=community),
        "task": ChecklistItem.objects.create(event=event, phase="before", title="Invite"),
        "question": NeedsQuestion.objects.create(
            community=community, text="What do you need?", kind="text"
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, actor, client_as, matrix_objects):
    row = MATRIX[url_name]
    client = client_as(actor)
    url = reverse(url_name, kwargs=row.kwargs(matrix_objects))
    response = getattr(client, row.method)(url)
    assert response.status_code == row.statuses[actor], (
        f"{actor} {row.method.upper()} {url_name}: expected {row.statuses[actor]}, "
        f"got {response.status_code}"
    )
