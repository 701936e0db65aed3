from django.db import connection, transaction

from accounts.extensions import search_listeners, search_terms, user_deleting_listeners
from accounts.models import User

SEARCH_CONFIG = "simple"  # no stemming: names, organisations and tags are not English prose


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
    user_refresh_search(user=user)
    return user


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Deletes a person's account (staff, in the admin). The apps that registered with
    `register_user_deleting` first end what is theirs the way their services do: ending
    the person's memberships revokes their open invitations, and giving up their places at
    upcoming events moves the people waiting into the freed seats. Then the account goes,
    with everything that is still the person's (the database's cascade): their past
    registrations and attendance among them.

    The apps above run first (the listeners in the reverse of their registration): events
    gives up every upcoming place in one pass, locking events in id order as every service
    does, so that ending the memberships after it finds no place left to withdraw."""
    for listener in reversed(user_deleting_listeners()):
        listener(user=user)
    user.delete()


def user_search_texts(user: User) -> dict[str, str]:
    """The person's search document by weight: name (A), organisation and expertise (B), the
    rest (C). Registered apps add their words (accounts.extensions.register_search_terms)."""
    terms = search_terms(user)
    return {
        # Never the email: members who hide theirs must not be found by guessing it.
        "A": " ".join([user.display_name, *terms["A"]]),
        "B": " ".join([user.organisation, *terms["B"]]),
        "C": " ".join([str(user.country.name) if user.country else "", *terms["C"]]),
    }


def user_refresh_search(*, user: User) -> None:
    """Rebuilds one person's search document."""
    users_set_search(documents={user.pk: user_search_texts(user)})


def users_set_search(*, documents: dict[int, dict[str, str]]) -> None:
    """Stores search documents ({user id: {"A": text, "B": text, "C": text}}) in one statement
    per call: the plain text everywhere, the weighted tsvector on PostgreSQL."""
    if not documents:
        return
    ids = list(documents)
    texts = {weight: [documents[pk].get(weight, "") for pk in ids] for weight in "ABC"}
    plain = [" ".join(filter(None, (texts[w][i] for w in "ABC"))).lower() for i in range(len(ids))]
    if connection.vendor != "postgresql":
        for pk, text in zip(ids, plain, strict=True):
            User.objects.filter(pk=pk).update(search_text=text)
    else:
        _store_search_vectors(ids, plain, texts)
    for listener in search_listeners():
        listener(ids)


def _store_search_vectors(ids: list[int], plain: list[str], texts: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE accounts_user AS u SET
                search_text = v.plain,
                search_vector =
                    setweight(to_tsvector('{SEARCH_CONFIG}', v.a), 'A')
                    || setweight(to_tsvector('{SEARCH_CONFIG}', v.b), 'B')
                    || setweight(to_tsvector('{SEARCH_CONFIG}', v.c), 'C')
            FROM (
                SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS plain,
                       unnest(%s::text[]) AS a, unnest(%s::text[]) AS b, unnest(%s::text[]) AS c
            ) AS v
            WHERE u.id = v.id
            """,  # noqa: S608 (SEARCH_CONFIG is a constant; values are parameters)
            [ids, plain, texts["A"], texts["B"], texts["C"]],
        )
