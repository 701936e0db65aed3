import functools

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from communities.models import WORKING_LANGUAGES, Membership
from copsite.forms import FastSelectMultiple
from members.models import NeedsQuestion, Profile

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class TagsField(forms.CharField):
    """Comma-separated tags: "water utilities, drought planning" -> two tags."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=1000, **kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value):
        text = super().clean(value)
        tags, seen = [], set()
        for raw in text.split(","):
            tag = " ".join(raw.split())
            if not tag or tag.lower() in seen:
                continue
            if len(tag) > MAX_TAG_LENGTH:
                raise ValidationError(
                    _("“%(tag)s” is too long: keep each tag under %(max)s characters."),
                    params={"tag": tag[:50], "max": MAX_TAG_LENGTH},
                )
            seen.add(tag.lower())
            tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise ValidationError(_("Up to %(max)s tags, please."), params={"max": MAX_TAGS})
        return tags


class ProfileDetailsForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        choices=WORKING_LANGUAGES,
        required=False,
        widget=FastSelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose several."),
    )
    expertise = TagsField(
        label=_("Expertise"),
        help_text=_("What you can help others with, separated by commas."),
    )
    interests = TagsField(
        label=_("Interests"),
        help_text=_("What you want to learn about, separated by commas."),
    )

    class Meta:
        model = Profile
        fields = ("expertise", "interests", "bio", "photo", "age_range", "show_email")
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        help_texts = {
            "photo": _("JPEG, PNG or WebP, up to 5 MB. It is resized to 512 pixels."),
            "age_range": _("Optional. Only ever shown as totals, never next to your name."),
            "show_email": _("Otherwise members contact you through the community."),
        }

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or photo == self.initial.get("photo"):
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo is larger than 5 MB."))
        image_format = getattr(getattr(photo, "image", None), "format", None)
        if image_format not in PHOTO_FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."))
        return photo


@functools.lru_cache(maxsize=16)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, str(name)) for code, name in countries)


def country_choices() -> tuple[tuple[str, str], ...]:
    """Countries sorted by name in the active language: django_countries translates and sorts
    all 250 on every iteration, so keep one list per language."""
    return _country_choices(get_language() or "")


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *country_choices()]
        self.fields["language"].choices = [("", _("Any language")), *WORKING_LANGUAGES]
        self.fields["tier"].choices = [("", _("Any tier")), *Membership.Tier.choices]


class WaveForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("e.g. “Spring 2027 cohort”")
    )
    planned_date = forms.DateField(
        label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    welcome_message = forms.CharField(
        label=_("Welcome message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Goes in every invitation of this wave."),
    )
    extra_checklist = forms.CharField(
        label=_("More checklist items (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line. Every wave already has: complete your profile, introduce yourself, "
            "answer the needs survey, attend a first event."
        ),
    )


class PasteInviteesForm(forms.Form):
    addresses = forms.CharField(
        label=_("Email addresses"),
        max_length=200_000,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "ana@example.org\nKofi Mensah <kofi@example.org>"}
        ),
        help_text=_(
            "One per line, or separated by commas. A name before the address works too: "
            "Ana Souza &lt;ana@example.org&gt;."
        ),
    )


class CsvInviteesForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: email, name, organisation, internal (internal or external). UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class RequestsInviteesForm(forms.Form):
    requests = forms.MultipleChoiceField(
        label=_("Pending join requests"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this community's requests can be chosen: another community's ids are refused.
        self.memberships = {
            str(m.pk): m
            for m in Membership.objects.filter(
                community=community, status=Membership.Status.REQUESTED
            ).select_related("user")
        }
        self.fields["requests"].choices = [
            (pk, f"{m.user.name} <{m.user.email}>") for pk, m in self.memberships.items()
        ]


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=[])
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For one or several choices: one per line."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = NeedsQuestion.Kind.choices


@functools.lru_cache(maxsize=1)
def _filter_values() -> dict[str, frozenset[str]]:
    return {
        "country": frozenset(code for code, _name in countries),
        "language": frozenset(code for code, _name in WORKING_LANGUAGES),
        "tier": frozenset(Membership.Tier.values),
    }


def directory_filters(params) -> dict[str, str]:
    """The directory's search word and filters from a query string, each checked against
    its list (cheaper than a bound form on every keystroke); unknown values become ""."""
    values = _filter_values()
    filters = {"q": params.get("q", "")[:100].strip()}
    for name, allowed in values.items():
        value = params.get(name, "")
        filters[name] = value if value in allowed else ""
    return filters
