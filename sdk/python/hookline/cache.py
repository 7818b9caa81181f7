"""The host's user cache and distributed locks (WIT ``hookline:plugin/cache``), the reference's
``$ctx.$cache``.

Keys are logical (``user:123``); the server namespaces them, so a plugin never sees or passes
its prefix. Values are anything :func:`json.dumps` accepts: they are stored as JSON text and
parsed again on the way out. The cache has a soft quota: when a write would exceed it, the
least-recently-used values are evicted (locks are not).

Every call is an ordinary (blocking) call. A refused one (a bad key or TTL, a value larger than
the whole quota) raises :class:`~hookline.HookError` with status 400 and the host's code
(``INVALID_KEY``, ``INVALID_TTL``, ``INVALID_JSON``, ``VALUE_TOO_LARGE``); a cache backend that
does not answer in time is a 503 ``CACHE_UNAVAILABLE``. Uncaught, it fails the request with it;
catch it to recover::

    import hookline
    from hookline import Context, HookError, cache

    @hookline.handler
    def count_visits(ctx: Context) -> dict:
        key = f"visits:{ctx.client_ip()}"
        lock = f"lock:{key}"
        if not cache.acquire(lock, "counter", 5_000):
            raise HookError(409, "busy, try again")
        count = (cache.get(key) or 0) + 1
        cache.set(key, count, 60_000)
        cache.release(lock, "counter")
        return {"count": count}
"""

from typing import Any

from . import _wit
from ._json import parse_host_json, to_json

__all__ = ["acquire", "delete_key", "exists", "get", "release", "set", "set_no_expire"]


def get(key: str) -> Any:
    """The value stored under ``key``, or ``None`` when it is absent or expired (a stored
    ``None`` reads the same).

    Raises :class:`~hookline.HookError`: 400 ``INVALID_KEY``, 503 ``CACHE_UNAVAILABLE``.
    """
    text = _wit.call_cache(_wit.wit_cache.get, key)
    return None if text is None else parse_host_json(text)


def set(key: str, value: Any, ttl_ms: int) -> None:
    """Stores ``value`` under ``key`` for ``ttl_ms`` milliseconds (1 ms to one year).

    Raises :class:`~hookline.HookError`: 400 ``INVALID_KEY``, ``INVALID_TTL`` or
    ``VALUE_TOO_LARGE``; 503 ``CACHE_UNAVAILABLE``; 500 ``NOT_SERIALIZABLE`` for a value JSON
    cannot hold.
    """
    json = to_json(value)
    _wit.call_cache(_wit.wit_cache.set, key, json, _wit.ttl_into_wit(ttl_ms))


def set_no_expire(key: str, value: Any) -> None:
    """Stores ``value`` under ``key`` without expiry; the cache quota can still evict it.

    Raises :class:`~hookline.HookError` as :func:`set`, without ``INVALID_TTL``.
    """
    _wit.call_cache(_wit.wit_cache.set_no_expire, key, to_json(value))


def acquire(key: str, owner: Any, ttl_ms: int) -> bool:
    """Takes the lock ``key`` for ``owner`` (any JSON value; :func:`release` needs the same)
    for ``ttl_ms`` milliseconds. ``True`` when taken; ``False`` when it is held, by another
    owner or this one.

    Raises :class:`~hookline.HookError` as :func:`set`.
    """
    json = to_json(owner)
    return _wit.call_cache(_wit.wit_cache.acquire, key, json, _wit.ttl_into_wit(ttl_ms))


def release(key: str, owner: Any) -> bool:
    """Releases the lock ``key`` if ``owner`` holds it; ``False`` when it is held by another
    owner, expired or was never taken."""
    return _wit.call_cache(_wit.wit_cache.release, key, to_json(owner))


def exists(key: str, value: Any) -> bool:
    """Whether ``key`` holds ``value``, as a cached value or as the owner of the lock ``key``.
    JSON values compare by content: the order of object keys does not matter."""
    return _wit.call_cache(_wit.wit_cache.exists, key, to_json(value))


def delete_key(key: str) -> bool:
    """Removes the value under ``key``; ``True`` when there was one."""
    return _wit.call_cache(_wit.wit_cache.delete_key, key)
