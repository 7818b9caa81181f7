"""The host's sliding-window rate limits (WIT ``hookline:plugin/rate-limit``), the reference's
``$ctx.$helpers.$rateLimit`` in snake case.

At most ``max_requests`` (1 to 100000) counted requests in any window of ``per_seconds`` (1 s
to a year); a refused request does not count. Keys of the templates (``{route}`` is the
matched route pattern): :func:`by_ip` → ``ip:{ip}:{route}``, :func:`by_user` →
``user:{userId}:{route}``, :func:`by_route` → ``route:{route}``, :func:`by_ip_global` →
``ip:{ip}``, :func:`by_user_global` → ``user:{userId}``; :func:`check`, :func:`status` and
:func:`reset` take such a key or a custom one.

Each answers a :class:`~hookline.RateLimitResult`. A request over the limit is no error: the
result's ``allowed`` is ``False``, and its :meth:`~hookline.RateLimitResult.too_many` makes the
429 to raise::

    import hookline
    from hookline import Context, rate_limit

    # preHook on `POST /auth/login`: 5 attempts per minute per client IP.
    @hookline.pre_hook
    def limit_logins(ctx: Context) -> None:
        result = rate_limit.by_ip(max_requests=5, per_seconds=60)
        if not result.allowed:
            raise result.too_many(
                f"Too many login attempts. Try again in {result.retry_after}s"
            )

A refused call raises :class:`~hookline.HookError` with the host's code: 401 ``NO_USER`` (a
by-user template without an authenticated user), 503 ``RATE_LIMIT_UNAVAILABLE`` (the backend is
down), 400 for the rest (``INVALID_OPTIONS``, ``INVALID_KEY``).
"""

from collections.abc import Callable

from . import _wit
from .types import RateLimitResult

__all__ = [
    "RateLimitResult",
    "by_ip",
    "by_ip_global",
    "by_route",
    "by_user",
    "by_user_global",
    "check",
    "reset",
    "status",
]


def by_ip(max_requests: int, per_seconds: int) -> RateLimitResult:
    """Counts this request against ``ip:{ip}:{route}``."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.by_ip, options)


def by_user(max_requests: int, per_seconds: int) -> RateLimitResult:
    """Counts this request against ``user:{userId}:{route}``; a 401 ``NO_USER`` for an
    anonymous request."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.by_user, options)


def by_route(max_requests: int, per_seconds: int) -> RateLimitResult:
    """Counts this request against ``route:{route}``, shared by every client."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.by_route, options)


def by_ip_global(max_requests: int, per_seconds: int) -> RateLimitResult:
    """Counts this request against ``ip:{ip}``, across all routes."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.by_ip_global, options)


def by_user_global(max_requests: int, per_seconds: int) -> RateLimitResult:
    """Counts this request against ``user:{userId}``, across all routes; a 401 ``NO_USER`` for
    an anonymous request."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.by_user_global, options)


def check(key: str, max_requests: int, per_seconds: int) -> RateLimitResult:
    """Counts this request against a custom ``key``."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.check, key, options)


def status(key: str, max_requests: int, per_seconds: int) -> RateLimitResult:
    """What :func:`check` would answer now, without counting."""
    options = _wit.rate_limit_options_into_wit(max_requests, per_seconds)
    return _answer(_wit.wit_rate_limit.status, key, options)


def reset(key: str) -> None:
    """Forgets every counted request of ``key``."""
    _wit.call_rate_limit(_wit.wit_rate_limit.reset, key)


def _answer(call: Callable[..., object], *args: object) -> RateLimitResult:
    """Runs a check and converts its WIT result."""
    return _wit.rate_limit_result_from_wit(_wit.call_rate_limit(call, *args))
