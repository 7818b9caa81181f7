"""JSON across the Wasm boundary: the WIT passes every structured value as JSON text."""

import json
from typing import Any

from .error import HookError, codes


def parse_host_json(text: str) -> Any:
    """Parses JSON produced by the host.

    The host serialises every ``json`` value with a JSON library, so invalid text means the
    host broke the WIT contract; the exception traps the instance, which reports a 500 rather
    than letting the hook act on made-up data.
    """
    try:
        return json.loads(text)
    except ValueError as error:
        raise RuntimeError(f"the Hookline host sent invalid JSON ({error}): {text!r}") from None


def to_json(value: Any) -> str:
    """Serialises a value the hook hands to the host.

    Raises :class:`HookError` (500, ``NOT_SERIALIZABLE``) for what JSON cannot express: only a
    bug in the hook (a set, an arbitrary object, NaN) gets here.
    """
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise HookError(
            500, f"value is not serialisable to JSON: {error}", codes.NOT_SERIALIZABLE
        ) from None
