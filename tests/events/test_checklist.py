"""The before / during / after checklist: defaults per format, assignment, ticking."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events import selectors, services
from events.checklists import default_items
from events.models import ChecklistItem, Format
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(community, creator, format_):
    start = EventFactory.build().starts_at
    return services.event_create(
        community=community,
        creator=creator,
        title="An event",
        format=format_,
        mode="online",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="UTC",
    )


def url(name, event, item=None):
    kwargs = {"slug": event.community.slug, "pk": event.pk}
    if item is not None:
        kwargs["item"] = item.pk
    return reverse(f"events:{name}", kwargs=kwargs)


class TestDefaults:
    def test_a_new_event_gets_its_formats_checklist(self, community, organiser):
        event = create(community, organiser, Format.PEER_ASSIST)
        titles = list(event.checklist.values_list("title", flat=True))
        assert "Invitations sent" in titles
        assert "Note-taker assigned" in titles
        assert "The host team's challenge written down and shared" in titles
        assert "Feedback requested from attendees" in titles
        phases = set(event.checklist.values_list("phase", flat=True))
        assert phases == {"before", "during", "after"}

    def test_formats_differ(self):
        social = {title for _phase, title, _days in default_items(Format.SOCIAL)}
        webinar = {title for _phase, title, _days in default_items(Format.WEBINAR)}
        assert "Note-taker assigned" not in social
        assert "Recording started" in webinar
        assert "Recording started" not in social

    def test_due_dates_count_from_the_start_or_the_end(self, community, organiser):
        event = create(community, organiser, Format.ROUNDTABLE)
        invitations = event.checklist.get(title="Invitations sent")
        materials = event.checklist.get(title="Materials and recording posted")
        assert invitations.due_at == event.starts_at - timedelta(days=14)
        assert materials.due_at == event.ends_at + timedelta(days=3)


class TestServices:
    def test_only_an_active_member_can_be_assigned(self, event, member, other_community):
        item = services.checklist_item_add(event=event, phase="before", title="Book room")
        outsider = MembershipFactory(community=other_community).user

        services.checklist_item_assign(item=item, assignee=member)
        with pytest.raises(ValidationError, match="not an active member"):
            services.checklist_item_assign(item=item, assignee=outsider)
        item.refresh_from_db()
        assert item.assignee == member

    def test_ticking_twice_keeps_the_first_tick(self, event, member, organiser):
        item = services.checklist_item_add(event=event, phase="during", title="Notes")
        services.checklist_item_set_done(item=item, done=True, by=member)
        first = item.done_at
        services.checklist_item_set_done(item=item, done=True, by=organiser)
        assert (item.done_at, item.done_by) == (first, member)
        services.checklist_item_set_done(item=item, done=False, by=organiser)
        assert item.done_at is None

    def test_overdue(self, event):
        item = services.checklist_item_add(event=event, phase="before", title="Late", due_days=-30)
        item.event = event
        assert item.is_overdue()


class TestPages:
    def test_add_assign_and_tick_without_reloads(self, client, community, organiser, member):
        event = create(community, organiser, Format.WEBINAR)
        client.force_login(organiser)
        hx = {"HX-Request": "true"}

        added = client.post(
            url("checklist", event),
            {
                "phase": "before",
                "title": "Test the sound",
                "due_days": "-1",
                "assignee": member.email,
            },
            headers=hx,
        )
        assert "Test the sound" in added.content.decode()
        item = event.checklist.get(title="Test the sound")
        assert item.assignee == member

        client.post(url("checklist_done", event, item), {"done": "1"}, headers=hx)
        item.refresh_from_db()
        assert item.is_done

    def test_assigning_a_stranger_is_named_at_the_item_and_keeps_the_old_one(
        self, client, event, organiser, member
    ):
        item = services.checklist_item_add(
            event=event, phase="before", title="Invite", assignee=member
        )
        stranger = UserFactory(email="stranger@example.org")
        client.force_login(organiser)

        response = client.post(
            url("checklist_assign", event, item),
            {"assignee": stranger.email},
            headers={"HX-Request": "true"},
        )

        page = response.content.decode()
        assert "not an active member" in page
        assert 'value="stranger@example.org"' in page  # what was typed comes back
        item.refresh_from_db()
        assert item.assignee == member

    def test_a_bad_task_is_named_at_its_field(self, client, event, organiser):
        client.force_login(organiser)
        response = client.post(
            url("checklist", event),
            {"phase": "before", "title": "", "due_days": "999"},
            headers={"HX-Request": "true"},
        )
        page = response.content.decode()
        assert 'id="id_title_error"' in page
        assert 'id="id_due_days_error"' in page

    @pytest.mark.parametrize(
        ("phase", "days", "message"),
        [
            ("before", "3", "A task before the event is due by its start"),
            ("during", "-1", "A task during the event is due from its start"),
            ("after", "-3", "A task after the event is due once it ends"),
        ],
    )
    def test_a_due_date_on_the_wrong_side_of_the_event_is_refused(
        self, client, event, organiser, phase, days, message
    ):
        client.force_login(organiser)
        before = ChecklistItem.objects.filter(event=event).count()
        response = client.post(
            url("checklist", event),
            {"phase": phase, "title": "Book the room", "due_days": days},
            headers={"HX-Request": "true"},
        )

        page = response.content.decode()
        assert f'<div class="invalid-feedback d-block" id="id_due_days_error">{message}' in page
        assert ChecklistItem.objects.filter(event=event).count() == before

    def test_the_assignee_ticks_their_own_task_from_the_event_page(self, client, event, member):
        mine = services.checklist_item_add(
            event=event, phase="during", title="Take notes", assignee=member
        )
        theirs = services.checklist_item_add(event=event, phase="during", title="Chair")
        client.force_login(member)

        page = client.get(url("detail", event)).content.decode()
        assert 'data-testid="my-task"' in page
        assert "Take notes" in page

        assert client.post(url("checklist_done", event, mine), {"done": "1"}).status_code == 302
        assert client.post(url("checklist_done", event, theirs), {"done": "1"}).status_code == 403
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.is_done
        assert not theirs.is_done

    def test_an_item_of_another_event_is_not_found(self, client, event, organiser, community):
        other = services.checklist_item_add(
            event=EventFactory(community=community), phase="after", title="X"
        )
        client.force_login(organiser)
        assert client.post(url("checklist_remove", event, other)).status_code == 404
        assert ChecklistItem.objects.filter(pk=other.pk).exists()

    def test_open_tasks_show_on_the_member_home(self, client, event, member):
        services.checklist_item_add(
            event=event, phase="before", title="Promote on LinkedIn", assignee=member
        )
        client.force_login(member)
        page = client.get(
            reverse("community_home", kwargs={"slug": event.community.slug})
        ).content.decode()
        assert "Promote on LinkedIn" in page

    @pytest.mark.parametrize("count", [10, 100])
    def test_query_budget(
        self, client, event, organiser, member, django_assert_max_num_queries, count
    ):
        for number in range(count):
            services.checklist_item_add(
                event=event,
                phase=["before", "during", "after"][number % 3],
                title=f"Task {number}",
                assignee=member if number % 2 else None,
            )
        client.force_login(organiser)
        with django_assert_max_num_queries(7):
            response = client.get(url("checklist", event))
        assert response.content.decode().count('data-testid="task"') == count
        assert len(selectors.checklist_for(event=event)) == 3
