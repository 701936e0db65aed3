from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from communities import rules
from communities.decorators import community_view
from copsite.forms import add_service_errors
from members import survey
from members.forms import QuestionForm
from members.models import NeedsQuestion


@community_view(rules.is_member)
@require_http_methods(["GET", "POST"])
def survey_answer(request, community, access):
    """Members answer once and may come back to change their answers."""
    questions = list(community.needs_questions.all())
    form = survey.AnswersForm(
        request.POST or None,
        questions=questions,
        initial_answers=survey.answers_for(membership=access.membership),
    )
    if request.method == "POST" and form.is_valid():
        survey.answers_save(membership=access.membership, form=form)
        messages.success(
            request, _("Thank you: your answers are saved. You can change them any time.")
        )
        return redirect("community_home", slug=community.slug)
    return render(
        request,
        "members/survey.html",
        {"community": community, "access": access, "form": form, "questions": questions},
    )


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def survey_questions(request, community, access):
    if request.method == "POST" and request.POST.get("action") == "starters":
        count = survey.questions_add_starters(community=community)
        messages.success(request, _("%(count)s starter questions added.") % {"count": count})
        return redirect("members_survey_questions", slug=community.slug)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey.question_add(community=community, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Question added."))
            return redirect("members_survey_questions", slug=community.slug)
    return render(
        request,
        "members/survey_questions.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "questions": community.needs_questions.all(),
        },
    )


@community_view(rules.can_manage)
@require_http_methods(["GET", "POST"])
def survey_question_delete(request, community, access, pk):
    question = get_object_or_404(NeedsQuestion, community=community, pk=pk)
    if request.method == "POST":
        survey.question_delete(question=question)
        messages.success(request, _("Question deleted, with its answers."))
        return redirect("members_survey_questions", slug=community.slug)
    return render(
        request,
        "members/survey_question_delete.html",
        {
            "community": community,
            "access": access,
            "question": question,
            "answers": question.answers.count(),
            "cancel_url": reverse("members_survey_questions", kwargs={"slug": community.slug}),
        },
    )


@community_view(rules.can_manage)
def survey_results(request, community, access):
    return render(
        request,
        "members/survey_results.html",
        {
            "community": community,
            "access": access,
            **survey.survey_results(community=community),
            "rate": survey.survey_response_rate(community=community),
            "age_ranges": survey.age_ranges(community=community),
        },
    )
