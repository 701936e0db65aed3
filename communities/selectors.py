from django.db.models import QuerySet

from communities.models import Community


def community_list_public() -> QuerySet[Community]:
    """The communities the home page lists, for everyone: the public ones, by name."""
    return Community.objects.listed().order_by("name")
