"""After the event: materials, notes, the after-action review, action items, feedback."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events import selectors, services
from events.models import ActionItem, Feedback, Material
from tests.factories import EventFactory, MembershipFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def past_event(community):
    start = timezone.now() - timedelta(days=2)
    return EventFactory(community=community, starts_at=start, ends_at=start + timedelta(hours=2))


def url(name, event, **kwargs):
    return reverse(
        f"events:{name}", kwargs={"slug": event.community.slug, "pk": event.pk, **kwargs}
    )


class TestMaterials:
    def post(self, client, event, **data):
        payload = {"title": "Slides", "url": "", "visibility": "members", **data}
        return client.post(url("material_add", event), payload)

    def test_a_file_is_stored_and_downloaded_by_who_may_see_it(
        self, client, past_event, organiser, member
    ):
        client.force_login(organiser)
        upload = SimpleUploadedFile("Leak study.pdf", b"%PDF-1.4 study", "application/pdf")
        assert self.post(client, past_event, file=upload).status_code == 302
        material = Material.objects.get()
        assert material.filename == "Leak study.pdf"
        assert "Leak" not in material.file.name  # stored under a random name

        client.force_login(member)
        response = client.get(url("material", past_event, material=material.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 study"
        assert 'attachment; filename="Leak study.pdf"' in response["Content-Disposition"]

    def test_a_core_only_material_is_hidden_from_members(self, client, past_event, member):
        material = Material.objects.create(
            event=past_event, title="Budget", url="https://example.org/b", visibility="core"
        )
        client.force_login(member)
        assert "Budget" not in client.get(url("detail", past_event)).content.decode()
        assert client.get(url("material", past_event, material=material.pk)).status_code == 404

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({}, "url", "Give a link or upload a file"),
            ({"file": "exe"}, "file", "Upload a document, a spreadsheet"),
            ({"file": "big"}, "file", "larger than 20 MB"),
            ({"title": ""}, "title", "This field is required."),
        ],
    )
    def test_bad_input_is_named_at_its_field(
        self, client, past_event, organiser, monkeypatch, data, field, message
    ):
        monkeypatch.setattr(services, "MAX_MATERIAL_BYTES", 10)
        if data.get("file") == "exe":
            data = {"file": SimpleUploadedFile("tool.exe", b"MZ", "application/octet-stream")}
        elif data.get("file") == "big":
            data = {"file": SimpleUploadedFile("big.pdf", b"x" * 11, "application/pdf")}
        client.force_login(organiser)

        response = self.post(client, past_event, **data)

        assert response.status_code == 200
        assert message in " ".join(response.context["material_form"].errors[field])
        assert f'id="id_{field}_error"' in response.content.decode()
        assert not Material.objects.exists()

    def test_removing_deletes_the_file(
        self, client, past_event, organiser, django_capture_on_commit_callbacks
    ):
        upload = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
        material = services.material_add(
            event=past_event, title="Notes", upload=upload, visibility="members", by=organiser
        )
        storage, name = material.file.storage, material.file.name
        client.force_login(organiser)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("material_remove", past_event, material=material.pk))
        assert not Material.objects.exists()
        assert not storage.exists(name)


class TestNotesAndReview:
    def test_notes_are_sanitised_and_shown_to_who_may_read_them(
        self, client, past_event, organiser, member
    ):
        client.force_login(organiser)
        client.post(
            url("follow_up", past_event),
            {
                "notes": "**Agreed**: pilot in Lima <script>alert(1)</script>",
                "notes_visibility": "members",
                "aar_expected": "Ten utilities share data",
                "aar_happened": "Six came",
                "aar_difference": "Clashed with a conference",
                "aar_sustain_change": "Check the calendar first",
            },
        )
        client.force_login(member)
        page = client.get(url("detail", past_event)).content.decode()

        assert "<strong>Agreed</strong>" in page
        assert "<script>alert(1)</script>" not in page
        assert "Clashed with a conference" not in page  # the review is for the organisers
        follow_up = selectors.follow_up_of(event=past_event)
        assert follow_up.has_review

    def test_core_only_notes_stay_with_the_core(self, client, past_event, member, organiser):
        services.follow_up_save(
            event=past_event, by=organiser, notes="Confidential", notes_visibility="core"
        )
        client.force_login(member)
        assert "Confidential" not in client.get(url("detail", past_event)).content.decode()


class TestActionItems:
    def test_the_owner_must_be_a_member_and_the_date_is_required(
        self, client, past_event, organiser, other_community
    ):
        outsider = MembershipFactory(community=other_community).user
        client.force_login(organiser)

        no_date = client.post(
            url("action_add", past_event), {"title": "Share contract", "owner": organiser.email}
        )
        stranger = client.post(
            url("action_add", past_event),
            {"title": "Share contract", "owner": outsider.email, "due_date": "2026-12-01"},
        )

        assert "due_date" in no_date.context["action_form"].errors
        assert "not an active member" in stranger.context["action_form"].errors["owner"][0]
        assert not ActionItem.objects.exists()

    def test_the_owner_marks_their_item_done_from_the_event_page(
        self, client, past_event, member, make_member
    ):
        item = services.action_item_add(
            event=past_event, title="Send the model contract", owner=member, due_date="2026-12-01"
        )
        other = make_member()

        client.force_login(other)
        assert (
            client.post(url("action_done", past_event, action=item.pk), {"done": "1"}).status_code
            == 403
        )
        client.force_login(member)
        page = client.get(url("detail", past_event)).content.decode()
        assert "Send the model contract" in page
        client.post(url("action_done", past_event, action=item.pk), {"done": "1"})
        item.refresh_from_db()
        assert item.is_done


class TestFeedback:
    def answer(self, client, event, **data):
        return client.post(
            url("feedback", event), {"rating": "4", "recommend": "9", "comment": "", **data}
        )

    def test_attendees_give_feedback_once_and_may_change_it(self, client, past_event, member):
        RegistrationFactory(event=past_event, user=member)
        client.force_login(member)
        assert (
            'data-testid="feedback-link"' in client.get(url("detail", past_event)).content.decode()
        )

        self.answer(client, past_event, comment="Useful")
        self.answer(client, past_event, rating="5", comment="Very useful")

        feedback = Feedback.objects.get()
        assert (feedback.rating, feedback.comment) == (5, "Very useful")

    def test_not_before_the_start_nor_for_people_who_did_not_come(
        self, client, event, past_event, member, make_member
    ):
        RegistrationFactory(event=event, user=member)
        client.force_login(member)
        early = self.answer(client, event)
        assert early.status_code == 302
        absent = make_member()
        client.force_login(absent)
        self.answer(client, past_event)
        assert not Feedback.objects.exists()

    def test_out_of_range_answers_are_named_at_their_field(self, client, past_event, member):
        RegistrationFactory(event=past_event, user=member)
        client.force_login(member)
        response = self.answer(client, past_event, rating="9", recommend="11")
        assert set(response.context["form"].errors) == {"rating", "recommend"}

    def test_the_organisers_see_the_average_and_the_nps(
        self, client, past_event, organiser, community
    ):
        for recommend, rating in [(10, 5), (9, 4), (7, 3), (3, 2)]:
            person = MembershipFactory(community=community).user
            RegistrationFactory(event=past_event, user=person)
            services.feedback_submit(
                event=past_event, user=person, rating=rating, recommend=recommend, comment="ok"
            )
        summary = selectors.feedback_summary(event=past_event)
        assert (summary.count, summary.average_rating, summary.nps) == (4, 3.5, 25)

        client.force_login(organiser)
        page = client.get(url("follow_up", past_event)).content.decode()
        assert 'data-testid="feedback-summary"' in page
        assert "2 promoters (9-10), 1 passives (7-8), 1 detractors (0-6)" in page


@pytest.mark.parametrize("count", [10, 100])
def test_follow_up_page_query_budget(
    client, past_event, organiser, community, django_assert_max_num_queries, count
):
    for number in range(count):
        person = MembershipFactory(community=community).user
        Material.objects.create(
            event=past_event,
            title=f"Link {number}",
            url="https://example.org",
            visibility="members",
        )
        ActionItem.objects.create(
            event=past_event, title=f"Action {number}", owner=person, due_date="2026-12-01"
        )
        Feedback.objects.create(
            event=past_event, user=person, rating=4, recommend=8, comment=f"Comment {number}"
        )
    client.force_login(organiser)
    with django_assert_max_num_queries(12):
        response = client.get(url("follow_up", past_event))
    page = response.content.decode()
    assert page.count("Mark “Action") == count
    assert page.count(">Link ") == count
    assert f'<dd class="col-5">{count}</dd>' in page
    assert page.count(">Comment ") == min(count, 50)  # the newest 50, then a page at a time
    if count > 50:
        assert f"Comments 1-50 of {count}, newest first." in page
        second = client.get(url("follow_up", past_event), {"comments": 2}).content.decode()
        assert second.count(">Comment ") == 50
        assert ">Comment 0<" in second  # the oldest comes last
