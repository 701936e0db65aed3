"""The member-needs survey, and the Five Musts' "know your members" it feeds."""

import re

import pytest
from django.urls import reverse

from communities.extensions import MustState, five_musts
from communities.models import Membership
from members import survey
from members.models import NeedsAnswer, NeedsQuestion
from members.services import profile_update
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


@pytest.fixture
def manager(client, community):
    membership = MembershipFactory(community=community, tier=Membership.Tier.CORE_TEAM)
    client.force_login(membership.user)
    return membership


@pytest.fixture
def questions(community):
    survey.questions_add_starters(community=community)
    return {q.kind: q for q in community.needs_questions.all()}


class TestQuestions:
    def test_the_core_team_starts_from_the_toolkits_questions(self, client, community, manager):
        client.post(url("members_survey_questions", community), {"action": "starters"})

        kinds = list(community.needs_questions.values_list("kind", flat=True))
        assert kinds == ["text", "multiple", "single", "scale"]

    def test_a_choice_question_needs_two_choices_said_at_the_field(
        self, client, community, manager
    ):
        response = client.post(
            url("members_survey_questions", community),
            {"text": "Favourite format?", "kind": "single", "choices": "Webinar"},
        )

        assert response.context["form"]["choices"].errors == [
            "Give at least two choices, one per line."
        ]
        assert 'value="Favourite format?"' in response.content.decode()
        assert not NeedsQuestion.objects.exists()

    def test_deleting_a_question_asks_first(self, client, community, manager, questions):
        question = questions["text"]
        delete_url = url("members_survey_question_delete", community, pk=question.pk)

        assert "Delete the question" in client.get(delete_url).content.decode()
        assert NeedsQuestion.objects.filter(pk=question.pk).exists()
        client.post(delete_url)
        assert not NeedsQuestion.objects.filter(pk=question.pk).exists()


class TestAnswers:
    def test_a_member_answers_then_changes_an_answer(self, client, community, member, questions):
        client.force_login(member)
        fields = {
            f"q{questions['text'].pk}": "Peers who fixed leaks",
            f"q{questions['multiple'].pk}": ["Webinar", "Peer Assist"],
            f"q{questions['single'].pk}": "Any time",
            f"q{questions['scale'].pk}": "4",
        }
        client.post(url("members_survey", community), fields)
        client.post(
            url("members_survey", community),
            {**fields, f"q{questions['scale'].pk}": "5", f"q{questions['text'].pk}": ""},
        )

        answers = dict(NeedsAnswer.objects.values_list("question__kind", "value"))
        assert answers == {"multiple": ["Webinar", "Peer Assist"], "single": "Any time", "scale": 5}
        page = client.get(url("members_survey", community)).content.decode()
        assert re.search(r'value="5"[^>]*checked', page)  # the saved answer is shown

    def test_a_choice_that_is_not_offered_is_refused(self, client, community, member, questions):
        client.force_login(member)

        response = client.post(
            url("members_survey", community), {f"q{questions['single'].pk}": "Never"}
        )

        assert response.context["form"][f"q{questions['single'].pk}"].errors
        assert not NeedsAnswer.objects.exists()

    def test_results_are_totals_and_texts_without_names(
        self, client, community, manager, questions
    ):
        for index, text in enumerate(["More peer assists", "Tariff templates", ""]):
            membership = MembershipFactory(community=community)
            form = survey.AnswersForm(
                {
                    f"q{questions['text'].pk}": text,
                    f"q{questions['scale'].pk}": str(3 + index % 2),
                    f"q{questions['multiple'].pk}": ["Webinar"],
                },
                questions=list(community.needs_questions.all()),
                initial_answers={},
            )
            assert form.is_valid()
            survey.answers_save(membership=membership, form=form)

        html = client.get(url("members_survey_results", community)).content.decode()

        assert "3 of 4 active members answered." in html
        assert "Average: 3.3 out of 5" in html
        assert "Tariff templates" in html
        results = {
            r["question"].kind: r for r in survey.survey_results(community=community)["results"]
        }
        assert dict(results["multiple"]["tally"])["Webinar"] == 3
        assert membership.user.email not in html

    @pytest.mark.parametrize("count", [10, 100])
    def test_results_query_budget(
        self, client, community, manager, questions, django_assert_max_num_queries, count
    ):
        question_list = list(community.needs_questions.all())
        for _ in range(count):
            membership = MembershipFactory(community=community)
            NeedsAnswer.objects.bulk_create(
                [
                    NeedsAnswer(question=questions["scale"], membership=membership, value=4),
                    NeedsAnswer(
                        question=questions["multiple"], membership=membership, value=["Webinar"]
                    ),
                ]
            )
        assert question_list

        with django_assert_max_num_queries(12):
            response = client.get(url("members_survey_results", community))

        assert response.status_code == 200


def test_know_your_members_is_met_with_answers_and_profiles(community, questions):
    memberships = MembershipFactory.create_batch(2, community=community)
    must = {line.must.key: line.result for line in five_musts(community)}["know_members"]
    assert must.state == MustState.NOT_MET

    NeedsAnswer.objects.create(question=questions["scale"], membership=memberships[0], value=4)
    must = {line.must.key: line.result for line in five_musts(community)}["know_members"]
    assert must.state == MustState.PARTLY
    assert "1 of 2 members answered the needs survey" in str(must.summary)

    for membership in memberships:
        user = membership.user
        user.organisation, user.country = "SABESP", "BR"
        user.save()
        profile_update(
            user=user, languages=[], expertise=["water"], interests=[], bio="Engineer",
            age_range="", show_email=False,
        )  # fmt: skip
    must = {line.must.key: line.result for line in five_musts(community)}["know_members"]
    assert must.state == MustState.MET


def test_age_ranges_are_shown_only_as_totals_of_at_least_five(client, community, manager):
    results_url = url("members_survey_results", community)
    people = [MembershipFactory(community=community).user for _ in range(6)]

    def give(person, age_range):
        profile_update(
            user=person, languages=[], expertise=[], interests=[], bio="",
            age_range=age_range, show_email=False,
        )  # fmt: skip

    for person in people[:4]:
        give(person, "35_44")
    assert "Shown once at least 5 members" in client.get(results_url).content.decode()

    give(people[4], "35_44")
    give(people[5], "55_64")
    html = client.get(results_url).content.decode()

    assert survey.age_ranges(community=community)[2:5] == [
        ("35 to 44", 5),
        ("45 to 54", 0),
        ("55 to 64", None),  # one person: never shown
    ]
    assert "fewer than 5" in html
