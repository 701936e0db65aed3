import pytest
from django.urls import reverse

from communities.models import Community
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_empty_home_says_what_to_do_next(client):
    html = client.get(reverse("home")).content.decode()

    assert 'data-testid="empty-state"' in html
    assert "No public communities yet." in html
    assert reverse("account_signup") in html


def test_only_public_communities_are_listed(client):
    CommunityFactory(name="Open Water", visibility=Community.Visibility.PUBLIC)
    CommunityFactory(name="Hidden Link", visibility=Community.Visibility.UNLISTED)
    CommunityFactory(name="Secret Circle", visibility=Community.Visibility.PRIVATE)

    html = client.get(reverse("home")).content.decode()

    assert "Open Water" in html
    assert "Hidden Link" not in html
    assert "Secret Circle" not in html
    assert "empty-state" not in html


def test_the_list_is_paginated(client):
    CommunityFactory.create_batch(13)

    first = client.get(reverse("home"))
    second = client.get(reverse("home"), {"page": 2})

    assert len(first.context["page"].object_list) == 12
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()
    # A page past the end shows the last one rather than an error.
    assert client.get(reverse("home"), {"page": 99}).context["page"].number == 2


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("signed_in", [False, True])
def test_query_budget_holds_at_10_and_100_communities(
    client, django_assert_max_num_queries, count, signed_in
):
    CommunityFactory.create_batch(count)
    if signed_in:
        client.force_login(UserFactory())

    # Session and user when signed in, the language filter, the page count, the page, and its
    # languages (prefetched): the same at 10 and at 100.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert response.status_code == 200
