from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.timezones import time_zone_choices
from copsite.forms import FastSelect


class ProfileForm(forms.ModelForm):
    """The personal settings a user edits themselves. Only these fields can be posted."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Every date and time on the site and in emails is shown in this zone."),
        widget=FastSelect,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a time zone. Choose one from the list."),
        },
    )

    class Meta:
        model = User
        fields = ("display_name", "organisation", "country", "time_zone", "preferred_language")
        widgets = {"country": FastSelect}
        help_texts = {
            "display_name": _("How other members see you. Leave empty to use your email name."),
            "preferred_language": _("The language of the site and of the emails you receive."),
        }
