"""The one module that names the bindings componentize-py generates (``wit_world``).

Every Hookline world includes the ``host`` world, so the imports used here exist whichever
world a plugin is built for. The rest of the SDK speaks its own types; this module converts.
"""

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard, TypeVar

from componentize_py_types import Err
from wit_world.imports import cache as wit_cache  # noqa: F401 (hookline.cache calls it)
from wit_world.imports import context as wit_context
from wit_world.imports import helpers as wit_helpers
from wit_world.imports import log as wit_log
from wit_world.imports import rate_limit as wit_rate_limit
from wit_world.imports import repos as wit_repos
from wit_world.imports import types as wit_types

from ._json import parse_host_json, to_json
from .error import HookError
from .types import ErrorInfo, LogLevel, Phase, RateLimitResult, SshKeyPair, User

T = TypeVar("T")
D = TypeVar("D")

#: The status of the HookError a helper's ``helper-error`` (bad input) becomes.
HELPER_ERROR_STATUS = 400

#: The status of a refused cache or rate-limit call whose code has no status of its own.
REFUSED_STATUS = 400

#: The statuses of the cache-error codes that have one.
_CACHE_ERROR_STATUSES = {"CACHE_UNAVAILABLE": 503}

#: The statuses of the rate-limit-error codes that have one.
_RATE_LIMIT_ERROR_STATUSES = {"NO_USER": 401, "RATE_LIMIT_UNAVAILABLE": 503}

#: The status of a row id that is not a whole number an ``s64`` holds.
INVALID_ID_STATUS = 400

#: The largest values of the WIT's ``u32``, ``u64`` and ``s64``, and the smallest of ``s64``.
_U32_MAX = 2**32 - 1
_U64_MAX = 2**64 - 1
_S64_MIN = -(2**63)
_S64_MAX = 2**63 - 1

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


def _copy_record(cls: type[D], record: Any) -> D:
    """The dataclass ``cls`` with each of its fields read from the same-named field of the WIT
    ``record``."""
    return cls(**{field.name: getattr(record, field.name) for field in dataclasses.fields(cls)})


def user_from_wit(user: wit_types.User) -> User:
    return _copy_record(User, user)


def _details_from_wit(details: str | None) -> Any:
    """The parsed JSON of an optional ``details``; ``None`` without one."""
    return None if details is None else parse_host_json(details)


def error_info_from_wit(error: wit_types.ErrorInfo) -> ErrorInfo:
    return ErrorInfo(
        message=error.message,
        name=error.name,
        status_code=error.status_code,
        details=_details_from_wit(error.details),
        timestamp=error.timestamp,
    )


def hook_error_from_wit(error: wit_types.HookError) -> HookError:
    details = _details_from_wit(error.details)
    return HookError(error.status, error.message, error.code, details, headers=error.headers)


def repo_error_from_wit(error: wit_repos.RepoError) -> HookError:
    """The HookError of a ``repo-error``: its own status, code, message and details."""
    return HookError(error.status, error.message, error.code, _details_from_wit(error.details))


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


def _call_raising(to_error: Callable[[Any], HookError], call: Callable[..., T], *args: object) -> T:
    """Runs a host call returning ``result<T, E>``, raising its ``err`` (componentize-py raises
    ``Err(E)``) as the HookError ``to_error`` makes of it."""
    try:
        return call(*args)
    except Err as refused:
        raise to_error(refused.value) from None


def call_fallible(call: Callable[..., None], *args: object) -> None:
    """Runs a host call returning ``result<_, hook-error>``, raising a refusal as HookError."""
    _call_raising(hook_error_from_wit, call, *args)


def write_log(level: LogLevel, message: str) -> None:
    wit_log.write(_LEVELS[level], message)


def _call_host(
    statuses: Mapping[str, int], otherwise: int, call: Callable[..., T], *args: object
) -> T:
    """Runs a host call returning ``result<T, E>``, where ``E`` is a record of a ``code`` and a
    ``message`` (``helper-error``, ``cache-error``, ``rate-limit-error``), raising its ``err``
    (componentize-py raises ``Err``) as a HookError with that code and message and the status
    ``statuses`` gives the code, else ``otherwise``."""

    def to_error(error: Any) -> HookError:
        return HookError(statuses.get(error.code, otherwise), error.message, error.code)

    return _call_raising(to_error, call, *args)


def _is_whole(value: object, maximum: int, minimum: int = 0) -> TypeGuard[int]:
    """Whether ``value`` is an ``int`` (not a ``bool``) from ``minimum`` to ``maximum``."""
    return not isinstance(value, bool) and isinstance(value, int) and minimum <= value <= maximum


def is_u32(value: object) -> TypeGuard[int]:
    """Whether ``value`` is a whole number a WIT ``u32`` holds (not a ``bool``)."""
    return _is_whole(value, _U32_MAX)


def call_helper(call: Callable[..., T], *args: object) -> T:
    """Runs a helper returning ``result<T, helper-error>``, raising its ``err`` as a 400
    HookError with the helper's code and message."""
    return _call_host({}, HELPER_ERROR_STATUS, call, *args)


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
    return _copy_record(SshKeyPair, pair)


def call_cache(call: Callable[..., T], *args: object) -> T:
    """Runs a cache call returning ``result<T, cache-error>``, raising its ``err`` as a
    HookError with the host's code and message: 503 for ``CACHE_UNAVAILABLE``, else 400."""
    return _call_host(_CACHE_ERROR_STATUSES, REFUSED_STATUS, call, *args)


def ttl_into_wit(ttl_ms: object) -> int:
    """The TTL as the WIT's ``u64``; anything but a whole, non-negative number of milliseconds
    is a 400 ``INVALID_TTL`` (the host refuses 0 and more than a year with the same code)."""
    if not _is_whole(ttl_ms, _U64_MAX):
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
    return _call_host(_RATE_LIMIT_ERROR_STATUSES, REFUSED_STATUS, call, *args)


def rate_limit_options_into_wit(
    max_requests: object, per_seconds: object
) -> wit_rate_limit.Options:
    """The WIT ``options``; a value that is not a whole number a ``u32`` holds is a 400
    ``INVALID_OPTIONS`` (the host refuses values out of its own ranges with the same code)."""
    for name, value in (("max_requests", max_requests), ("per_seconds", per_seconds)):
        if not is_u32(value):
            raise HookError(
                REFUSED_STATUS, f"{name} must be a whole number, got {value!r}", "INVALID_OPTIONS"
            )
    return wit_rate_limit.Options(max_requests, per_seconds)


def rate_limit_result_from_wit(result: wit_rate_limit.RateLimitResult) -> RateLimitResult:
    return _copy_record(RateLimitResult, result)


def call_repos(call: Callable[..., T], *args: object) -> T:
    """Runs a repos call returning ``result<T, repo-error>``, raising its ``err`` as a HookError
    with the error's own status, code, message and details."""
    return _call_raising(repo_error_from_wit, call, *args)


def id_into_wit(id: object) -> int:
    """The row id as the WIT's ``s64``; anything but an ``int`` (not a ``bool``) an ``s64``
    holds is a 400 ``INVALID_ID`` (the code the server answers for a path id that is not a
    number)."""
    if not _is_whole(id, _S64_MAX, _S64_MIN):
        raise HookError(INVALID_ID_STATUS, f"id must be a whole number, got {id!r}", "INVALID_ID")
    return id
