from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from accounts.services import user_refresh_search
from members.models import Profile, ProfileLanguage

PHOTO_SIZE = (512, 512)


def _resized_jpeg(upload) -> ContentFile:
    """Re-encodes an uploaded image as a JPEG of at most 512x512: drops EXIF (location!) and
    anything hidden in the original file."""
    upload.seek(0)
    with Image.open(upload) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
        image.thumbnail(PHOTO_SIZE)
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def profile_get(*, user) -> Profile:
    """The person's profile, or an unsaved empty one."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


@transaction.atomic
def profile_update(
    *,
    user,
    languages: list[str],
    expertise: list[str],
    interests: list[str],
    bio: str,
    age_range: str,
    show_email: bool,
    photo=None,
) -> Profile:
    """Saves what a member shares with peers. `photo`: a new upload (resized here), False to
    remove the current one, or None/the current file to keep it. Refreshes the person's search
    document, so the directory finds them by their new expertise at once."""
    profile = profile_get(user=user)
    old_photo = profile.photo.name if profile.photo else ""
    profile.expertise = expertise
    profile.interests = interests
    profile.bio = bio.strip()
    profile.age_range = age_range
    profile.show_email = show_email
    profile.languages = sorted(set(languages))
    if photo is False:
        profile.photo = None
    elif photo is not None and hasattr(photo, "content_type"):
        profile.photo.save("photo.jpg", _resized_jpeg(photo), save=False)
    profile.save()

    ProfileLanguage.objects.filter(user=user).exclude(code__in=languages).delete()
    ProfileLanguage.objects.bulk_create(
        [ProfileLanguage(user=user, code=code) for code in languages], ignore_conflicts=True
    )

    user_refresh_search(user=user)

    new_photo = profile.photo.name if profile.photo else ""
    if old_photo and old_photo != new_photo:
        storage = Profile._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return profile
