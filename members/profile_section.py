"""What members adds to the profile page and to people search (registered in apps.py)."""

from django.utils.translation import gettext_lazy as _

from accounts.extensions import ProfileSection
from members.forms import ProfileDetailsForm
from members.services import profile_get, profile_update


def _form_kwargs(user) -> dict:
    profile = profile_get(user=user)
    languages = list(user.spoken_languages.values_list("code", flat=True)) if user.pk else []
    return {"instance": profile, "initial": {"languages": languages}}


def _save(*, user, form) -> None:
    data = form.cleaned_data
    profile_update(
        user=user,
        languages=data["languages"],
        expertise=data["expertise"],
        interests=data["interests"],
        bio=data["bio"],
        age_range=data["age_range"],
        show_email=data["show_email"],
        photo=data.get("photo"),
    )


SECTION = ProfileSection(
    key="member",
    title=_("What you share with your communities"),
    form_class=ProfileDetailsForm,
    form_kwargs=_form_kwargs,
    save=_save,
)


def search_terms(user) -> dict[str, str]:
    profile = profile_get(user=user)  # read fresh: a cached one may predate this save
    return {"B": " ".join(profile.expertise), "C": " ".join(profile.interests)}
