"""The member-needs survey: questions the Core Team edits, answers members give and may
change, results the Core Team reads in aggregate."""

from collections import Counter

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, Membership
from copsite.forms import ScaleSelect
from members.models import NeedsAnswer, NeedsQuestion

FORMATS = [
    "Community Roundtable", "Peer Assist", "Fishbowl", "E-Debate", "Webinar", "Workshop",
    "Study Tour", "Online Discussion",
]  # fmt: skip

STARTER_QUESTIONS = [
    (gettext_lazy("What do you most need from this community?"), NeedsQuestion.Kind.TEXT, []),
    (gettext_lazy("Which formats suit you?"), NeedsQuestion.Kind.MULTIPLE, FORMATS),
    (
        gettext_lazy("When can you usually take part?"),
        NeedsQuestion.Kind.SINGLE,
        ["Mornings (UTC)", "Afternoons (UTC)", "Evenings (UTC)", "Any time"],
    ),
    (
        gettext_lazy("How much could peers help with your current work?"),
        NeedsQuestion.Kind.SCALE,
        [],
    ),
]


def clean_choices(kind: str, raw: str) -> list[str]:
    choices = [line.strip()[:120] for line in raw.splitlines() if line.strip()]
    if kind in (NeedsQuestion.Kind.SINGLE, NeedsQuestion.Kind.MULTIPLE) and len(choices) < 2:  # noqa: PLR2004
        raise ValidationError({"choices": _("Give at least two choices, one per line.")})
    return choices if kind in (NeedsQuestion.Kind.SINGLE, NeedsQuestion.Kind.MULTIPLE) else []


@transaction.atomic
def question_add(*, community: Community, text: str, kind: str, choices: str) -> NeedsQuestion:
    last = community.needs_questions.order_by("-order").values_list("order", flat=True).first()
    question = NeedsQuestion(
        community=community,
        text=text.strip(),
        kind=kind,
        choices=clean_choices(kind, choices),
        order=(last or 0) + 1,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def questions_add_starters(*, community: Community) -> int:
    for text, kind, choices in STARTER_QUESTIONS:
        question_add(community=community, text=str(text), kind=kind, choices="\n".join(choices))
    return len(STARTER_QUESTIONS)


@transaction.atomic
def question_delete(*, question: NeedsQuestion) -> None:
    question.delete()


class AnswersForm(forms.Form):
    """One field per question; every answer is optional."""

    def __init__(self, *args, questions: list[NeedsQuestion], initial_answers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            options = [(c, c) for c in question.choices]
            if question.kind == NeedsQuestion.Kind.TEXT:
                field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
            elif question.kind == NeedsQuestion.Kind.SINGLE:
                field = forms.ChoiceField(choices=options, widget=forms.RadioSelect)
            elif question.kind == NeedsQuestion.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=options, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.TypedChoiceField(
                    choices=[(n, str(n)) for n in range(1, 6)],
                    coerce=int,
                    widget=ScaleSelect,
                    help_text=_("1: not at all · 5: very much"),
                )
            field.label = question.text
            field.required = False
            field.initial = initial_answers.get(question.pk)
            self.fields[name] = field


def answers_for(*, membership: Membership) -> dict[int, object]:
    return dict(
        NeedsAnswer.objects.filter(membership=membership).values_list("question_id", "value")
    )


@transaction.atomic
def answers_save(*, membership: Membership, form: AnswersForm) -> int:
    """Saves a member's answers (again): an empty answer removes the previous one."""
    saved = 0
    for question in form.questions:
        value = form.cleaned_data.get(f"q{question.pk}")
        empty = value in (None, "", []) or (isinstance(value, str) and not value.strip())
        if empty:
            NeedsAnswer.objects.filter(question=question, membership=membership).delete()
            continue
        NeedsAnswer.objects.update_or_create(
            question=question, membership=membership, defaults={"value": value}
        )
        saved += 1
    return saved


def survey_results(*, community: Community) -> dict:
    """Aggregates only: counts per choice, the average of scales, text answers without names."""
    questions = list(community.needs_questions.all())
    respondents = (
        NeedsAnswer.objects.filter(question__community=community)
        .values("membership")
        .distinct()
        .count()
    )
    answers_by_question: dict[int, list] = {}
    for question_id, value in NeedsAnswer.objects.filter(question__community=community).values_list(
        "question_id", "value"
    ):
        answers_by_question.setdefault(question_id, []).append(value)
    results = []
    for question in questions:
        values = answers_by_question.get(question.pk, [])
        row = {"question": question, "count": len(values)}
        if question.kind == NeedsQuestion.Kind.TEXT:
            row["texts"] = values[:200]
        elif question.kind == NeedsQuestion.Kind.SCALE:
            row["average"] = round(sum(values) / len(values), 1) if values else None
            row["tally"] = [(n, values.count(n)) for n in range(1, 6)]
        else:
            counter = Counter()
            for value in values:
                counter.update(value if isinstance(value, list) else [value])
            row["tally"] = [(choice, counter.get(choice, 0)) for choice in question.choices]
        results.append(row)
    return {"respondents": respondents, "results": results}


def survey_response_rate(*, community: Community) -> tuple[int, int]:
    """(members who answered, active members)."""
    active = Membership.objects.active().filter(community=community).count()
    answered = (
        NeedsAnswer.objects.filter(
            question__community=community, membership__status=Membership.Status.ACTIVE
        )
        .values("membership")
        .distinct()
        .count()
    )
    return answered, active


MIN_AGE_GROUP = 5  # below this many answers, totals could identify people: show nothing


def age_ranges(*, community: Community) -> list[tuple[str, int | None]] | None:
    """Opt-in age ranges of active members, as totals only: None when fewer than five gave
    theirs, and None for any range with fewer than five people (shown "fewer than 5"), so
    that no answer can be traced to a person."""
    from members.models import Profile  # noqa: PLC0415

    rows = dict(
        Profile.objects.filter(
            user__memberships__community=community,
            user__memberships__status=Membership.Status.ACTIVE,
        )
        .exclude(age_range="")
        .values_list("age_range")
        .annotate(count=Count("pk"))
    )
    if sum(rows.values()) < MIN_AGE_GROUP:
        return None
    return [
        (str(label), count if (count := rows.get(value, 0)) >= MIN_AGE_GROUP or not count else None)
        for value, label in Profile.AgeRange.choices
    ]
