"""The agenda editor and the 75/25 rule."""

from datetime import timedelta

import pytest
from django.urls import reverse

from events import selectors, services
from events.models import AgendaSegment
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

Kind = AgendaSegment.Kind


def titles(event):
    return list(AgendaSegment.objects.filter(event=event).values_list("title", flat=True))


def add(event, title, minutes, kind=Kind.DISCUSSION):
    return services.agenda_add(event=event, title=title, minutes=minutes, kind=kind)


class TestServices:
    def test_add_move_and_remove_keep_a_gapless_order(self, event):
        intro, talk, talk_two = (add(event, name, 10) for name in ("Intro", "Talk", "Wrap"))

        services.agenda_move(segment=talk_two, offset=-1)
        assert titles(event) == ["Intro", "Wrap", "Talk"]
        services.agenda_move(segment=intro, offset=-1)  # already first: no change
        assert titles(event) == ["Intro", "Wrap", "Talk"]
        services.agenda_remove(segment=intro)
        assert titles(event) == ["Wrap", "Talk"]
        assert list(
            AgendaSegment.objects.filter(event=event).values_list("position", flat=True)
        ) == [0, 1]
        assert talk.pk

    def test_a_segment_needs_at_least_a_minute(self, event):
        with pytest.raises(Exception, match="greater than or equal to 1"):
            add(event, "Nothing", 0)


class TestSummary:
    def summary(self, event, *segments):
        for title, minutes, kind in segments:
            add(event, title, minutes, kind)
        return selectors.agenda_summary(event=event)

    def test_exactly_25_percent_presentation_is_within_the_rule(self, event):
        summary = self.summary(
            event, ("Talk", 15, Kind.PRESENTATION), ("Discussion", 45, Kind.DISCUSSION)
        )
        assert (summary.presentation_share, summary.interaction_share) == (25, 75)
        assert not summary.breaks_75_25
        assert summary.warnings == []

    def test_more_than_25_percent_presentation_warns(self, event):
        summary = self.summary(
            event,
            ("Keynote", 20, Kind.PRESENTATION),
            ("Moderator", 5, Kind.MODERATION),
            ("Q&A", 55, Kind.QA),
        )
        assert summary.breaks_75_25
        assert summary.presentation_share == 31
        assert "Presentations take 31% of the agenda" in summary.warnings[0]

    def test_a_share_just_over_the_rule_is_not_rounded_into_it(self, event):
        summary = self.summary(
            event,
            ("Moderator", 10, Kind.MODERATION),
            ("Talk", 24, Kind.PRESENTATION),
            ("Discussion", 100, Kind.DISCUSSION),
        )  # 34 of 134 minutes: 25.37%
        assert summary.breaks_75_25
        assert (summary.presentation_label, summary.interaction_label) == ("25.4", "74.6")
        assert "Presentations take 25.4% of the agenda" in summary.warnings[0]
        assert (summary.presentation_share, summary.interaction_share) == (25, 75)  # widths

    def test_a_long_agenda_just_over_the_rule_never_reads_25_0(self, event):
        summary = self.summary(
            event, ("Talks", 226, Kind.PRESENTATION), ("Discussion", 677, Kind.DISCUSSION)
        )  # 226 of 903 minutes: 25.03%
        assert summary.breaks_75_25
        assert (summary.presentation_label, summary.interaction_label) == ("25.1", "74.9")

    def test_an_agenda_longer_than_the_event_warns(self, community):
        event = EventFactory(community=community)
        event.ends_at = event.starts_at + timedelta(minutes=60)
        event.save()
        summary = self.summary(event, ("Long talk", 50, Kind.DISCUSSION), ("More", 20, Kind.QA))
        assert summary.overruns
        assert summary.warnings == [
            "The agenda runs 70 minutes, longer than the event's 60 minutes."
        ]

    def test_an_empty_agenda_warns_of_nothing(self, event):
        summary = selectors.agenda_summary(event=event)
        assert (summary.total_minutes, summary.presentation_share, summary.warnings) == (0, 0, [])


class TestEditor:
    def url(self, name, event, segment=None):
        kwargs = {"slug": event.community.slug, "pk": event.pk}
        if segment is not None:
            kwargs["segment"] = segment.pk
        return reverse(f"events:{name}", kwargs=kwargs)

    def test_adding_without_a_reload_updates_the_bar(self, client, organiser, event):
        client.force_login(organiser)
        response = client.post(
            self.url("agenda", event),
            {"title": "Keynote", "minutes": "30", "kind": "presentation", "people": "Dr. Lin"},
            headers={"HX-Request": "true"},
        )

        page = response.content.decode()
        assert "<html" not in page
        assert 'id="agenda-editor"' in page
        assert "Presentations take 100% of the agenda" in page
        assert "Dr. Lin" in page
        assert titles(event) == ["Keynote"]

    def test_bad_input_is_named_at_its_field_and_the_agenda_stays(self, client, organiser, event):
        add(event, "Introductions", 10)
        client.force_login(organiser)
        response = client.post(
            self.url("agenda", event),
            {"title": "", "minutes": "0", "kind": "discussion"},
            headers={"HX-Request": "true"},
        )

        page = response.content.decode()
        assert 'id="id_title_error"' in page
        assert 'id="id_minutes_error"' in page
        assert "Introductions" in page
        assert titles(event) == ["Introductions"]

    @pytest.mark.parametrize("minutes", ["0", "-5"])
    def test_a_segment_of_no_time_says_a_minute_at_least(self, client, organiser, event, minutes):
        client.force_login(organiser)
        response = client.post(
            self.url("agenda", event),
            {"title": "Wrap-up", "minutes": minutes, "kind": "discussion"},
            headers={"HX-Request": "true"},
        )

        assert "Ensure this value is greater than or equal to 1." in response.content.decode()
        assert titles(event) == []

    def test_move_and_remove_through_the_page(self, client, organiser, event):
        first, second = add(event, "First", 10), add(event, "Second", 10)
        client.force_login(organiser)

        client.post(self.url("agenda_move", event, second), {"direction": "up"})
        assert titles(event) == ["Second", "First"]
        client.post(self.url("agenda_remove", event, first), headers={"HX-Request": "true"})
        assert titles(event) == ["Second"]

    def test_a_segment_of_another_event_is_not_found(self, client, organiser, event, community):
        elsewhere = add(EventFactory(community=community), "Not here", 10)
        client.force_login(organiser)

        response = client.post(self.url("agenda_remove", event, elsewhere))

        assert response.status_code == 404
        assert AgendaSegment.objects.filter(pk=elsewhere.pk).exists()

    def test_members_see_the_agenda_and_its_split_on_the_event_page(self, client, member, event):
        add(event, "Keynote", 40, Kind.PRESENTATION)
        add(event, "Discussion", 40, Kind.DISCUSSION)
        client.force_login(member)

        page = client.get(self.url("detail", event)).content.decode()

        assert "Keynote" in page
        assert 'data-testid="agenda-split"' in page
        assert "Presentations take 50% of the agenda" in page
        assert "Edit the agenda" not in page

    @pytest.mark.parametrize("count", [10, 100])
    def test_query_budget(self, client, organiser, event, django_assert_max_num_queries, count):
        for number in range(count):
            add(event, f"Segment {number}", 5)
        client.force_login(organiser)
        with django_assert_max_num_queries(6):
            response = client.get(self.url("agenda", event))
        assert response.content.decode().count('data-testid="segment"') == count


def test_moving_a_segment_someone_just_removed_changes_nothing(event):
    stale = add(event, "Gone", 10)
    add(event, "Stays", 10)
    AgendaSegment.objects.filter(pk=stale.pk).delete()
    services.agenda_move(segment=stale, offset=1)
    assert titles(event) == ["Stays"]
