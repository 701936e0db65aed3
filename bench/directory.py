"""Directory search at 50,000 members, through the real code path (view and selector).

Usage: DATABASE_URL=postgres://... .venv/bin/python bench/directory.py [--members 50000]

Builds (or reuses) a community of that many members on the database DATABASE_URL names,
then times 200 mixed searches (names, organisations, expertise, word prefixes; half with a
country filter) as a signed-in member. Each search is the request the directory sends as
you type (htmx: the result list with its count, through middleware, access check, selector
and template), timed in-process from request to response. The full page (with the filter
form, as on a first visit) is timed too and printed before. Prints name=value lines; the
last is directory_search_p95_ms (the whole request). Target: p95 under 20 ms on PostgreSQL.
query_*_ms time the data part alone: the selector and the paginator, whose page, rows and
capped count are one statement on PostgreSQL (the ORM building it included).
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from http import HTTPStatus
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")
os.environ.setdefault("DEBUG", "true")  # the test client's "testserver" host is allowed

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from communities.models import Membership
from members.demo import COUNTRIES, EXPERTISE, LAST_NAMES, ORGANISATIONS, build_scale_community
from members.pagination import CappedPaginator
from members.selectors import directory_cards, directory_search
from members.views import MEMBERS_PER_PAGE

SEARCHES = 200
WARM_UP = 20


def search_terms(rng: random.Random) -> list[str]:
    words = []
    for _ in range(SEARCHES):
        kind = rng.choice(["name", "organisation", "expertise", "prefix"])
        if kind == "name":
            words.append(rng.choice(LAST_NAMES))
        elif kind == "organisation":
            words.append(rng.choice(ORGANISATIONS).split()[0])
        elif kind == "expertise":
            words.append(rng.choice(EXPERTISE))
        else:
            word = rng.choice([*EXPERTISE, *LAST_NAMES]).split()[0]
            words.append(word[: rng.randint(3, 5)])
    return words


COUNT = re.compile(r"(\d[\d,]*) members?\b|More than (1,000)")


def result_count(html: str) -> int:
    """The number of results the page states ("35 members", "More than 1,000 members")."""
    match = COUNT.search(html)
    if match is None:
        return 0
    return int((match.group(1) or match.group(2)).replace(",", "")) + (1 if match.group(2) else 0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    arguments = parser.parse_args()

    started = time.monotonic()
    # A fresh database gets the schema first; an up-to-date one is left as it is.
    call_command("migrate", interactive=False, verbosity=0)
    community = build_scale_community(members=arguments.members, stdout=sys.stdout)
    print(f"setup_seconds={time.monotonic() - started:.1f}")
    reader = Membership.objects.filter(community=community).select_related("user").first().user
    client = Client()
    client.force_login(reader)
    url = reverse("members_directory", kwargs={"slug": community.slug})

    rng = random.Random(7)  # noqa: S311 (benchmark inputs)
    terms = search_terms(rng)
    requests = [
        {"q": term, **({"country": rng.choice(COUNTRIES)} if index % 2 else {})}
        for index, term in enumerate(terms)
    ]
    as_you_type = {"HX-Request": "true"}
    for params in requests[:WARM_UP]:
        client.get(url, params)
        client.get(url, params, headers=as_you_type)

    def timed(headers) -> tuple[list[float], list[int]]:
        timings, results = [], []
        for params in requests:
            begin = time.perf_counter()
            response = client.get(url, params, headers=headers)
            timings.append((time.perf_counter() - begin) * 1000)
            if response.status_code != HTTPStatus.OK:
                raise SystemExit(f"search {params} answered {response.status_code}")
            results.append(result_count(response.content.decode()))
        return timings, results

    page_timings, _ = timed({})
    timings, results = timed(as_you_type)

    # The database part alone, through the same selector and paginator: page and count.
    query_timings = []
    for params in requests:
        begin = time.perf_counter()
        members = directory_search(
            community=community, query=params["q"], country=params.get("country", "")
        )
        CappedPaginator(members, MEMBERS_PER_PAGE, rows=directory_cards()).get_page(1)
        query_timings.append((time.perf_counter() - begin) * 1000)

    print(f"database={connection.vendor}")
    print(f"members={Membership.objects.filter(community=community).count()}")
    print(f"searches={len(timings)}")
    print(f"median_results={statistics.median(results):.0f} (counts stop at 1001)")
    print(f"query_median_ms={statistics.median(query_timings):.1f}")
    print(f"query_p95_ms={percentile(query_timings, 0.95):.1f}")
    print(f"full_page_median_ms={statistics.median(page_timings):.1f}")
    print(f"full_page_p95_ms={percentile(page_timings, 0.95):.1f}")
    print(f"directory_search_median_ms={statistics.median(timings):.1f}")
    print(f"directory_search_p95_ms={percentile(timings, 0.95):.1f}")


if __name__ == "__main__":
    main()
