import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.services import SEARCH_CONFIG
from communities.models import Membership
from members.models import ProfileLanguage

WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    return WORD.findall(text.lower())[:8]


def directory_search(
    *, community, query: str = "", country: str = "", language: str = "", tier: str = ""
) -> QuerySet[Membership]:
    """Active members of a community matching every word of `query` by prefix ("agri" finds
    "agriculture") across name, organisation, country, expertise and interests, with optional
    country, language and tier filters, by name.

    On PostgreSQL the words become a prefix tsquery against the GIN-indexed search vector;
    elsewhere they match the plain search text.
    """
    members = (
        Membership.objects.active()
        .filter(community=community)
        .select_related("user", "user__member_profile")
        # The search columns are for the WHERE clause only: not worth carrying 24 times over.
        .defer(
            "search_vector",
            "request_message",
            "user__search_vector",
            "user__search_text",
            "user__password",
            "user__member_profile__bio",
        )
        .prefetch_related(
            Prefetch("user__spoken_languages", queryset=ProfileLanguage.objects.order_by("code"))
        )
    )
    if tier:
        members = members.filter(tier=tier)
    if country:
        members = members.filter(country=country)
    if language:
        members = members.filter(
            Exists(ProfileLanguage.objects.filter(user_id=OuterRef("user_id"), code=language))
        )
    words = search_words(query)
    if words and connection.vendor == "postgresql":
        # The membership's copy of the search document, GIN-indexed (communities/search.py).
        tsquery = " & ".join(f"{word}:*" for word in words)
        members = members.filter(
            search_vector=SearchQuery(tsquery, search_type="raw", config=SEARCH_CONFIG)
        )
    else:
        for word in words:
            members = members.filter(user__search_text__icontains=word)
    return members.order_by("sort_name", "pk")


def directory_export(*, community) -> QuerySet[Membership]:
    """Every active member, for the Core Team's CSV, streamed in chunks."""
    return directory_search(community=community)
