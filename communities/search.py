"""Copies of each person's search document on their memberships.

accounts keeps one search document per person; a directory search filters one community's
members by it. Reading both tables through a join costs ~100 ms at 50,000 members; the copy
on the membership, with its own GIN index, answers in a few milliseconds. accounts calls
`memberships_copy_search` whenever documents change (registered in apps.py); this app calls
it when a membership row is created.
"""

from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from accounts.models import User
from communities.models import Membership


def memberships_copy_search(user_ids: list[int]) -> None:
    if not user_ids:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE communities_membership AS m SET
                    search_vector = u.search_vector,
                    sort_name = lower(coalesce(nullif(u.display_name, ''), u.email)),
                    country = u.country
                FROM accounts_user AS u
                WHERE m.user_id = u.id AND u.id = ANY(%s)
                """,
                [list(user_ids)],
            )
        return
    names = User.objects.filter(pk__in=user_ids).values_list(
        "pk",
        Lower(Coalesce(NullIf("display_name", Value("")), "email", output_field=CharField())),
        "country",
    )
    for user_id, sort_name, country in names:
        Membership.objects.filter(user_id=user_id).update(sort_name=sort_name, country=country)
