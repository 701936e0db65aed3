from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.timezones import time_zone_choices
from communities.forms import LanguagesField, PersonByEmailField
from copsite.forms import FastSelect, ScaleSelect
from events.models import (
    FORMAT_HINTS,
    AgendaSegment,
    ChecklistItem,
    Event,
    Feedback,
    FollowUp,
    Format,
    Visibility,
)
from events.services import check_material_file

# Entered as wall-clock times in the event's own time zone.
LOCAL_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


# Years an event may be in: a typo such as 0202 gets a message, not a failure further on.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_FORMAT, **kwargs)


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, with no time zone yet: the form attaches the event's own
    zone. (Django's field reads it in the viewer's zone, which refuses a time that falls in
    the viewer's clock change although it is a fine time where the event takes place.)"""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return timezone.make_naive(value) if timezone.is_aware(value) else value
        try:
            result = parse_datetime(value.strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result is None:
            result = BaseTemporalField.to_python(self, value)  # the input formats, or invalid
        return result.replace(tzinfo=None)


class EventForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=FastSelect,
        help_text=_("The times above are in this time zone; everyone sees them in their own."),
    )
    online_url = forms.URLField(
        label=_("Meeting link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Shown only to people with a confirmed seat."),
    )
    languages = LanguagesField()

    class Meta:
        model = Event
        fields = (
            "title",
            "format",
            "description",
            "mode",
            "place",
            "online_url",
            "starts_at",
            "ends_at",
            "time_zone",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "visibility",
            "interpretation",
        )
        field_classes = dict.fromkeys(LOCAL_TIMES, WallClockDateTimeField)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "mode": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "format": forms.Select(attrs={"data-format-select": ""}),
        }

    def __init__(self, *args, default_time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].label = _("Languages")
        self.fields["languages"].help_text = _("The languages the event is held in.")
        for name in LOCAL_TIMES:
            field = self.fields[name]
            field.widget = LocalDateTimeInput()
            field.input_formats = [LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        zone_name = self.instance.time_zone if self.instance.pk else default_time_zone
        self.initial.setdefault("time_zone", zone_name)
        if self.instance.pk:
            zone = ZoneInfo(zone_name)
            for name in LOCAL_TIMES:
                value = getattr(self.instance, name)
                if value is not None:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)
            self.initial["languages"] = [
                language.code for language in self.instance.languages.all()
            ]

    @property
    def format_hints(self) -> list[tuple[str, str, str]]:
        return [(value, label, FORMAT_HINTS[value]) for value, label in Format.choices]

    def clean(self):
        cleaned = super().clean()
        for name in LOCAL_TIMES:
            value = cleaned.get(name)
            if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Enter a date between %(first)s and %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        closes = cleaned.get("registration_closes_at")
        if starts and closes and closes > starts:
            self.add_error(
                "registration_closes_at",
                _("Registration must close no later than the start of the event."),
            )
        opens = cleaned.get("registration_opens_at")
        if opens and (closes or starts) and opens >= (closes or starts):
            self.add_error(
                "registration_opens_at",
                _("Registration must open before it closes.")
                if closes
                else _("Registration must open before the event starts."),
            )
        if cleaned.get("mode") == Event.Mode.IN_PERSON and not cleaned.get("place"):
            self.add_error("place", _("Say where the event takes place."))
        return cleaned

    def _post_clean(self):
        # The times were read as wall-clock times; they belong to the chosen time zone, not
        # the viewer's. Done before the model instance is built and validated.
        zone_name = self.cleaned_data.get("time_zone")
        for name in LOCAL_TIMES:
            wall = self.cleaned_data.get(name)
            if not isinstance(wall, datetime):
                continue
            if not zone_name:  # the time zone has its own error; keep the values aware
                self.cleaned_data[name] = wall.replace(tzinfo=UTC)
                continue
            zone = ZoneInfo(zone_name)
            aware = wall.replace(tzinfo=zone)
            # A time skipped when the clocks go forward does not come back the same.
            if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                self.add_error(
                    name,
                    _(
                        "%(time)s does not exist in %(zone)s: the clocks go forward then. "
                        "Choose another time."
                    )
                    % {"time": wall.strftime("%H:%M"), "zone": zone_name},
                )
                continue
            self.cleaned_data[name] = aware
        super()._post_clean()

    def event_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EventFilterForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *Format.choices]
    )
    mode = forms.ChoiceField(
        label=_("Mode"), required=False, choices=[("", _("Any mode")), *Event.Mode.choices]
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, languages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *languages]

    def filters(self) -> dict[str, str]:
        """The filters that are valid; one the list cannot read (an edited link) is left out
        alone, the others still apply."""
        if not self.is_bound:
            return dict.fromkeys(self.fields, "")
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class AgendaSegmentForm(forms.ModelForm):
    # At least a minute: the model's own field would say "0 or more" to a negative number.
    minutes = forms.IntegerField(
        label=capfirst(AgendaSegment._meta.get_field("minutes").verbose_name),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"min": 1, "max": 1440}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(AgendaSegment.Kind.choices)
        self.fields["kind"].choices = [
            ("", _("Choose a kind")),
            (_("Member interaction"), [(k, labels[k]) for k in AgendaSegment.INTERACTION_KINDS]),
            (_("Presentation"), [(k, labels[k]) for k in AgendaSegment.PRESENTATION_KINDS]),
        ]

    class Meta:
        model = AgendaSegment
        fields = ("title", "minutes", "kind", "people")


class ChecklistItemForm(forms.ModelForm):
    assignee = PersonByEmailField(
        label=_("Assigned to (email)"),
        required=False,
        help_text=_("Optional: an active member of the community."),
        widget=forms.EmailInput(attrs={"list": "member-suggestions", "autocomplete": "off"}),
    )

    class Meta:
        model = ChecklistItem
        fields = ("phase", "title", "due_days", "assignee")


class AssigneeForm(forms.Form):
    assignee = PersonByEmailField(
        label=_("Assigned to (email)"),
        required=False,
        widget=forms.EmailInput(attrs={"list": "member-suggestions", "autocomplete": "off"}),
    )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = (
            "notes",
            "notes_visibility",
            "aar_expected",
            "aar_happened",
            "aar_difference",
            "aar_sustain_change",
        )
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 10}),
            "aar_expected": forms.Textarea(attrs={"rows": 3}),
            "aar_happened": forms.Textarea(attrs={"rows": 3}),
            "aar_difference": forms.Textarea(attrs={"rows": 3}),
            "aar_sustain_change": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "notes": _("Markdown: **bold**, *italic*, lists with -, links as [text](https://...).")
        }


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("PDF, Office or OpenDocument files, text, CSV or images; up to 20 MB."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Visibility.choices, initial=Visibility.MEMBERS
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                check_material_file(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from error
        return upload

    def clean(self):
        cleaned = super().clean()
        if "file" not in self.errors and "url" not in self.errors:
            if bool(cleaned.get("url")) == bool(cleaned.get("file")):
                self.add_error("url", _("Give a link or upload a file (one of the two)."))
        return cleaned


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = PersonByEmailField(
        label=_("Owner (email)"),
        help_text=_("An active member who will do it."),
        widget=forms.EmailInput(attrs={"list": "member-suggestions", "autocomplete": "off"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Required: an action without a date is just an aspiration."),
    )


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ("rating", "recommend", "comment")
        widgets = {
            "rating": ScaleSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "recommend": ScaleSelect(choices=[(n, str(n)) for n in range(11)]),
            "comment": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "rating": _("1: not useful · 5: very useful"),
            "recommend": _("0: not at all likely · 10: extremely likely"),
        }
