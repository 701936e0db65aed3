"""copsite.cache: Django's Redis cache with one client per connection pool."""

import os

import pytest

from copsite.cache import RedisCache

# A client connects only when a command runs: building the cache needs no server.
LOCATION = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def test_one_client_serves_every_call():
    cache = RedisCache(LOCATION, {"KEY_PREFIX": "copsite-test-cache"})

    client = cache._cache.get_client("a")

    assert cache._cache.get_client("b", write=True) is client
    assert cache._cache.get_client("c") is client


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as CI has")
def test_the_cache_works_through_it():
    cache = RedisCache(LOCATION, {"KEY_PREFIX": "copsite-test-cache"})

    cache.set("answer", {"value": 42}, timeout=30)
    assert cache.get("answer") == {"value": 42}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    cache.delete("answer")
    assert cache.get("answer") is None
