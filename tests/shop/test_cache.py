"""shop/cache.py: Django's Redis cache with one redis client per connection pool."""

import threading

import pytest
import redis

from shop.cache import SharedClientRedisCache

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379 (this backend needs a server)")
    backend = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "cache-test"})
    backend.clear()
    yield backend
    backend.clear()


def test_every_call_uses_the_same_client():
    # redis-py connects on the first command: no server is needed to build clients.
    backend = SharedClientRedisCache(REDIS_URL, {})
    client = backend._cache.get_client()
    assert isinstance(client, redis.Redis)
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client("some-key") is client


def test_reads_and_writes_like_djangos_backend(redis_cache):
    redis_cache.set("card", "<article>μέλι</article>", 60)
    redis_cache.set_many({"a": 1, "b": [2, 3]}, 60)

    assert redis_cache.get("card") == "<article>μέλι</article>"
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": [2, 3]}
    assert redis_cache.incr("a") == 2
    assert redis_cache.add("a", 5) is False
    redis_cache.delete("card")
    assert redis_cache.get("card", "gone") == "gone"


def test_threads_share_the_client_safely(redis_cache):
    errors = []

    def work(number):
        try:
            for step in range(50):
                redis_cache.set(f"t{number}", step)
                assert redis_cache.get(f"t{number}") == step
        except Exception as error:  # noqa: BLE001  (collected for the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert redis_cache.get_many([f"t{number}" for number in range(8)]) == {
        f"t{number}": 49 for number in range(8)
    }
