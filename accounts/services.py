from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    organisation: str,
    country: str,
    time_zone: str,
    preferred_language: str,
) -> User:
    """Saves a user's personal settings after validating them like the model does."""
    user.display_name = display_name.strip()
    user.organisation = organisation.strip()
    user.country = country
    user.time_zone = time_zone
    user.preferred_language = preferred_language
    fields = ["display_name", "organisation", "country", "time_zone", "preferred_language"]
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in fields])
    user.save(update_fields=fields)
    return user
