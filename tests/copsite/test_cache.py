"""copsite.cache: Django's Redis cache with one client per connection pool."""

import os

import pytest

from copsite.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as CI provides"
)


def test_one_client_serves_every_call_and_the_cache_works():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "copsite-test-cache"})
    client = cache._cache.get_client("a")

    assert cache._cache.get_client("b", write=True) is client
    cache.set("answer", {"value": 42}, timeout=30)
    assert cache.get("answer") == {"value": 42}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    cache.delete("answer")
    assert cache.get("answer") is None
