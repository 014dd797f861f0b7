"""Django's Redis cache with its redis-py clients reused (aysekai_site/cache.py)."""

from __future__ import annotations

from aysekai_site.cache import RedisCache


def backend(location: str = "redis://127.0.0.1:1/0") -> RedisCache:
    return RedisCache(location, {})  # building a client connects to nothing


def test_one_client_serves_every_operation():
    client = backend()._cache
    first = client.get_client("a")
    assert client.get_client("b") is first
    assert client.get_client("c", write=True) is first  # one server: one pool
    assert first.connection_pool is client.get_client().connection_pool


def test_each_server_has_its_own_client():
    client = backend("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0")._cache
    writer = client.get_client(write=True)
    assert client.get_client(write=True) is writer
    reader = client.get_client()  # reads go to the other server
    assert reader is not writer
    assert reader.connection_pool is not writer.connection_pool
