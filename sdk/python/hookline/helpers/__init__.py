"""The host's native helpers (WIT ``hookline:plugin/helpers``): tokens, password hashing, slugs,
bounded crypto (:mod:`hookline.helpers.crypto`) and sleep, under the names of the reference's
``$ctx.$helpers`` in snake case.

Every helper is an ordinary (blocking) call: the host does the work, bcrypt and RSA key
generation off its request threads, while the hook waits.

Bad input (an expiration like ``"7x"``, more than 4096 random bytes) raises
:class:`~hookline.HookError` with status 400 and the helper's code (``INVALID_EXPIRATION``,
``INVALID_SIZE``, ...): uncaught, it fails the request with it; catch it to recover::

    from hookline import HookError, helpers

    try:
        token = helpers.jwt({"id": 7}, expiration)
    except HookError as error:
        ...  # error.code == "INVALID_EXPIRATION"
"""

import math
from typing import Any

from .. import _wit
from .._json import to_json
from . import crypto

__all__ = ["auto_slug", "bcrypt_compare", "bcrypt_hash", "crypto", "jwt", "sleep"]

#: The longest pause the host grants, in milliseconds.
MAX_SLEEP_MS = 30_000


def jwt(payload: dict[str, Any], expiration: str) -> str:
    """Signs a token (HS256, the server's secret) for ``payload`` plus ``iat`` and ``exp``.

    ``payload`` is a dict of JSON values; one with a user ``id`` is accepted by Hookline's
    bearer authentication. ``expiration`` is a number and a unit ``s``, ``m``, ``h`` or ``d``:
    ``"15m"``, ``"1h"``, ``"7d"``, ``"30d"``.

    Raises :class:`~hookline.HookError`: 400 ``INVALID_EXPIRATION``, 400 ``INVALID_PAYLOAD``
    (not a dict), or 500 ``NOT_SERIALIZABLE`` for a payload JSON cannot hold.
    """
    return _wit.call_helper(_wit.wit_helpers.jwt, to_json(payload), expiration)


def bcrypt_hash(plain: str) -> str:
    """A bcrypt hash (``$2b$...``) of ``plain`` at the server's configured cost.

    Raises :class:`~hookline.HookError` 400 ``BCRYPT_FAILED`` when bcrypt refuses the input.
    """
    return _wit.call_helper(_wit.wit_helpers.bcrypt_hash, plain)


def bcrypt_compare(plain: str, hashed: str) -> bool:
    """Whether ``plain`` matches the bcrypt hash ``hashed`` (``$2a$``, ``$2b$`` or ``$2y$``);
    a malformed hash is ``False``."""
    return _wit.wit_helpers.bcrypt_compare(plain, hashed)


def auto_slug(text: str) -> str:
    """A URL slug: ``"My Product Name"`` → ``"my-product-name"``.

    Accents are stripped and other scripts transliterated to ASCII, runs of separators collapse
    to one ``-``, at most 100 characters.
    """
    return _wit.wit_helpers.auto_slug(text)


def sleep(ms: float) -> None:
    """Pauses the hook for ``ms`` milliseconds (whole ones), clamped to 0..30000; the pause ends
    early at the hook's deadline, which then fails the request with the hook's timeout."""
    wanted = 0 if math.isnan(ms) else max(0, min(ms, MAX_SLEEP_MS))
    _wit.wit_helpers.sleep(int(wanted))
