from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from communities.models import WORKING_LANGUAGES, Community, Membership, RoleAssignment
from copsite.forms import FastSelectMultiple


class LanguagesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=WORKING_LANGUAGES,
            required=False,
            label=_("Working languages"),
            help_text=_("Hold Ctrl (Cmd on a Mac) to choose several."),
            widget=FastSelectMultiple(attrs={"size": 6}),
            **kwargs,
        )


class CommunityCreateForm(forms.ModelForm):
    languages = LanguagesField()

    class Meta:
        model = Community
        fields = ("name", "slug", "description", "visibility", "join_policy")
        widgets = {"visibility": forms.RadioSelect, "join_policy": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Lowercase letters, numbers and hyphens. Leave empty to make one from the name."
        )

    def clean_slug(self):
        return self.cleaned_data["slug"].lower()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("name") and "slug" not in self.errors:
            # The model's validation (reserved words, uniqueness) then checks this address too.
            slug = slugify(cleaned["name"])[:60].strip("-")
            if slug:
                cleaned["slug"] = slug
            else:
                self.add_error("slug", _("Choose an address: the name has no letters to use."))
        return cleaned


class CommunitySettingsForm(forms.ModelForm):
    languages = LanguagesField()

    class Meta:
        model = Community
        fields = ("name", "description", "visibility", "join_policy")
        widgets = {"visibility": forms.RadioSelect, "join_policy": forms.RadioSelect}


class CanvasSectionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, lists with -, links as [text](https://...)."),
    )


class PersonByEmailField(forms.EmailField):
    """A person named by the email of their account (scales to 50,000 members, unlike a
    select); the service checks that they belong where they must."""

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("No one with this email has an account here."))
        return user


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=RoleAssignment.Role.choices)
    holder = PersonByEmailField(
        label=_("Held by (email)"),
        help_text=_("An active member; for Community Sponsor, anyone with an account."),
        widget=forms.EmailInput(attrs={"list": "member-suggestions", "autocomplete": "off"}),
    )
    backup = PersonByEmailField(
        label=_("Backup (email)"),
        required=False,
        help_text=_("An active member who can step in. Strongly recommended."),
        widget=forms.EmailInput(attrs={"list": "member-suggestions", "autocomplete": "off"}),
    )


class RoleBackupForm(forms.Form):
    backup = PersonByEmailField(
        label=_("Backup (email)"),
        required=False,
        help_text=_("Leave empty to remove the backup."),
        widget=forms.EmailInput(attrs={"list": "member-suggestions", "autocomplete": "off"}),
    )


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Membership.Tier.choices)


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=100)


class CommunitySearchForm(forms.Form):
    q = forms.CharField(label=_("Search communities"), required=False, max_length=100)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *languages]


class JoinForm(forms.Form):
    acquisition_source = forms.ChoiceField(
        label=_("How did you learn of this community?"),
        required=False,
        choices=[
            ("", _("Choose (optional)")),
            *[c for c in Membership.Source.choices if c[0] != Membership.Source.DIRECT_INVITATION],
        ],
    )
    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words for the Core Team, who approve requests."),
    )

    def __init__(self, *args, community: Community, invited: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if invited:
            # An invitee just accepts: no questions.
            self.fields.clear()
        elif community.join_policy != Community.JoinPolicy.ON_REQUEST:
            del self.fields["motivation"]


class RequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        error_messages={"required": _("Choose whether to approve or decline the request.")},
    )
    message = forms.CharField(
        label=_("Message to the requester (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InternalForm(forms.Form):
    is_internal = forms.BooleanField(required=False)
