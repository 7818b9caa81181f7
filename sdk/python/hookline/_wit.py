"""The one module that names the bindings componentize-py generates (``wit_world``).

Every Hookline world includes the ``host`` world, so the imports used here exist whichever
world a plugin is built for. The rest of the SDK speaks its own types; this module converts.
"""

from collections.abc import Callable
from typing import TypeVar

from componentize_py_types import Err
from wit_world.imports import cache as wit_cache
from wit_world.imports import context as wit_context
from wit_world.imports import helpers as wit_helpers
from wit_world.imports import log as wit_log
from wit_world.imports import rate_limit as wit_rate_limit
from wit_world.imports import types as wit_types

from ._json import parse_host_json, to_json
from .error import HookError
from .types import ErrorInfo, LogLevel, Phase, RateLimitResult, SshKeyPair, User

T = TypeVar("T")

#: The status of the HookError a helper's ``helper-error`` (bad input) becomes.
HELPER_ERROR_STATUS = 400

#: The status of a refused cache or rate-limit call whose code has no status of its own.
REFUSED_STATUS = 400

#: The statuses of the cache-error codes that have one.
_CACHE_ERROR_STATUSES = {"CACHE_UNAVAILABLE": 503}

#: The statuses of the rate-limit-error codes that have one.
_RATE_LIMIT_ERROR_STATUSES = {"NO_USER": 401, "RATE_LIMIT_UNAVAILABLE": 503}

#: The largest values of the WIT's ``u32`` and ``u64``.
_U32_MAX = 2**32 - 1
_U64_MAX = 2**64 - 1

#: The host's lent ``request-context`` resource.
RequestContext = wit_context.RequestContext

_PHASES = {
    wit_context.Phase.PRE_HOOK: Phase.PRE_HOOK,
    wit_context.Phase.HANDLER: Phase.HANDLER,
    wit_context.Phase.POST_HOOK: Phase.POST_HOOK,
}

_ENCODINGS = {
    "hex": wit_helpers.Encoding.HEX,
    "base64": wit_helpers.Encoding.BASE64,
    "base64url": wit_helpers.Encoding.BASE64URL,
}

_LEVELS = {
    LogLevel.DEBUG: wit_log.Level.DEBUG,
    LogLevel.INFO: wit_log.Level.INFO,
    LogLevel.WARN: wit_log.Level.WARN,
    LogLevel.ERROR: wit_log.Level.ERROR,
}


def phase_from_wit(phase: wit_context.Phase) -> Phase:
    return _PHASES[phase]


def user_from_wit(user: wit_types.User) -> User:
    return User(
        id=user.id,
        email=user.email,
        role=user.role,
        is_root_admin=user.is_root_admin,
        verified=user.verified,
        organization=user.organization,
    )


def error_info_from_wit(error: wit_types.ErrorInfo) -> ErrorInfo:
    return ErrorInfo(
        message=error.message,
        name=error.name,
        status_code=error.status_code,
        details=None if error.details is None else parse_host_json(error.details),
        timestamp=error.timestamp,
    )


def hook_error_from_wit(error: wit_types.HookError) -> HookError:
    details = None if error.details is None else parse_host_json(error.details)
    return HookError(error.status, error.message, error.code, details, headers=error.headers)


def hook_error_into_wit(error: HookError) -> Err:
    """The ``Err`` componentize-py turns into the export's WIT ``err`` value when raised.

    Details JSON cannot hold turn the error into the 500 ``NOT_SERIALIZABLE`` that says so
    (without the original's headers).
    """
    try:
        details = None if error.details is None else to_json(error.details)
    except HookError as unserialisable:
        return hook_error_into_wit(unserialisable)
    headers = [(str(name), str(value)) for name, value in error.headers]
    return Err(wit_types.HookError(error.status, error.code, error.message, details, headers))


def call_fallible(call: Callable[..., None], *args: object) -> None:
    """Runs a host call returning ``result<_, hook-error>``, raising a refusal as HookError.

    componentize-py raises ``Err(hook-error)`` for the WIT ``err`` case.
    """
    try:
        call(*args)
    except Err as refused:
        raise hook_error_from_wit(refused.value) from None


def write_log(level: LogLevel, message: str) -> None:
    wit_log.write(_LEVELS[level], message)


def call_helper(call: Callable[..., T], *args: object) -> T:
    """Runs a helper returning ``result<T, helper-error>``, raising its ``err`` as a 400
    HookError with the helper's code and message (componentize-py raises ``Err``)."""
    try:
        return call(*args)
    except Err as refused:
        error: wit_helpers.HelperError = refused.value
        raise HookError(HELPER_ERROR_STATUS, error.message, error.code) from None


def encoding_into_wit(encoding: object) -> wit_helpers.Encoding:
    """The WIT ``encoding`` named ``hex``, ``base64`` or ``base64url``; any other value is a
    400 ``INVALID_ENCODING``."""
    if isinstance(encoding, str) and encoding in _ENCODINGS:
        return _ENCODINGS[encoding]
    raise HookError(
        HELPER_ERROR_STATUS,
        f"encoding must be one of {', '.join(_ENCODINGS)}, got {encoding!r}",
        "INVALID_ENCODING",
    )


def ssh_key_pair_from_wit(pair: wit_helpers.SshKeyPair) -> SshKeyPair:
    return SshKeyPair(public_key=pair.public_key, private_key=pair.private_key)


def call_cache(call: Callable[..., T], *args: object) -> T:
    """Runs a cache call returning ``result<T, cache-error>``, raising its ``err`` as a
    HookError with the host's code and message: 503 for ``CACHE_UNAVAILABLE``, else 400."""
    try:
        return call(*args)
    except Err as refused:
        error: wit_cache.CacheError = refused.value
        status = _CACHE_ERROR_STATUSES.get(error.code, REFUSED_STATUS)
        raise HookError(status, error.message, error.code) from None


def ttl_into_wit(ttl_ms: object) -> int:
    """The TTL as the WIT's ``u64``; anything but a whole, non-negative number of milliseconds
    is a 400 ``INVALID_TTL`` (the host refuses 0 and more than a year with the same code)."""
    if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int) or not 0 <= ttl_ms <= _U64_MAX:
        raise HookError(
            REFUSED_STATUS,
            f"ttl_ms must be a whole number of milliseconds, 1 to one year, got {ttl_ms!r}",
            "INVALID_TTL",
        )
    return ttl_ms


def call_rate_limit(call: Callable[..., T], *args: object) -> T:
    """Runs a rate-limit call returning ``result<T, rate-limit-error>``, raising its ``err`` as
    a HookError with the host's code and message: 401 for ``NO_USER``, 503 for
    ``RATE_LIMIT_UNAVAILABLE``, else 400."""
    try:
        return call(*args)
    except Err as refused:
        error: wit_rate_limit.RateLimitError = refused.value
        status = _RATE_LIMIT_ERROR_STATUSES.get(error.code, REFUSED_STATUS)
        raise HookError(status, error.message, error.code) from None


def rate_limit_options_into_wit(
    max_requests: object, per_seconds: object
) -> wit_rate_limit.Options:
    """The WIT ``options``; a value that is not a whole number a ``u32`` holds is a 400
    ``INVALID_OPTIONS`` (the host refuses values out of its own ranges with the same code)."""
    for name, value in (("max_requests", max_requests), ("per_seconds", per_seconds)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U32_MAX:
            raise HookError(
                REFUSED_STATUS, f"{name} must be a whole number, got {value!r}", "INVALID_OPTIONS"
            )
    return wit_rate_limit.Options(max_requests, per_seconds)


def rate_limit_result_from_wit(result: wit_rate_limit.RateLimitResult) -> RateLimitResult:
    return RateLimitResult(
        allowed=result.allowed,
        remaining=result.remaining,
        reset_at=result.reset_at,
        retry_after=result.retry_after,
        limit=result.limit,
        window=result.window,
    )
