import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import WORKING_LANGUAGES


def photo_path(profile: "Profile", filename: str) -> str:
    # A random name: photo URLs cannot be guessed from a user id.
    return f"photos/{uuid.uuid4().hex}.jpg"


class Profile(models.Model):
    """What members tell each other about themselves, shared across their communities.

    The personal settings (display name, organisation, country, time zone, language) live
    on accounts.User; this adds what the directory shows and searches.
    """

    class AgeRange(models.TextChoices):
        UNDER_25 = "under_25", _("Under 25")
        FROM_25 = "25_34", _("25 to 34")
        FROM_35 = "35_44", _("35 to 44")
        FROM_45 = "45_54", _("45 to 54")
        FROM_55 = "55_64", _("55 to 64")
        FROM_65 = "65_plus", _("65 or over")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="member_profile",
        verbose_name=_("user"),
    )
    bio = models.TextField(_("about me"), max_length=2000, blank=True)
    expertise = models.JSONField(_("expertise"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    age_range = models.CharField(
        _("age range"), max_length=10, choices=AgeRange.choices, blank=True
    )
    show_email = models.BooleanField(_("show my email to other members"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_complete(self) -> bool:
        """Complete enough for peers to find and recognise you."""
        return bool(self.user.profile_complete and self.expertise and self.bio)


class ProfileLanguage(models.Model):
    """A language a person speaks: one row per language, so the directory can filter on it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="spoken_languages",
        verbose_name=_("user"),
    )
    code = models.CharField(_("language"), max_length=10, choices=WORKING_LANGUAGES)

    class Meta:
        verbose_name = _("spoken language")
        verbose_name_plural = _("spoken languages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="members_language_once"),
        ]
        indexes = [models.Index(fields=["code", "user"], name="members_language_code_idx")]

    def __str__(self) -> str:
        return self.get_code_display()
