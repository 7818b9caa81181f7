"""Bounded crypto helpers, done by the host: random ids and bytes, digests, signatures and SSH
keys (the reference's ``$ctx.$helpers.$crypto``).

``encoding`` is ``"hex"`` (lower case, the default), ``"base64"`` (padded) or ``"base64url"``
(URL-safe alphabet, no padding); any other value raises :class:`~hookline.HookError` 400
``INVALID_ENCODING``.
"""

from typing import Literal

from .. import _wit
from ..error import HookError
from ..types import SshKeyPair

__all__ = [
    "Encoding",
    "SshKeyPair",
    "generate_ssh_key_pair",
    "hmac_sha256",
    "random_bytes",
    "random_uuid",
    "sha256",
]

#: How bytes are encoded as text.
Encoding = Literal["hex", "base64", "base64url"]


def random_uuid() -> str:
    """A random (version 4) UUID, e.g. ``"0b7d5b8e-3c0e-4f2a-9a57-2f1c1b0d6e3a"``."""
    return _wit.wit_helpers.random_uuid()


def random_bytes(size: int, encoding: Encoding = "hex") -> str:
    """``size`` random bytes (0 to 4096) from the host's CSPRNG, encoded.

    Raises :class:`~hookline.HookError` 400 ``INVALID_SIZE`` or ``INVALID_ENCODING``.
    """
    if not _wit.is_u32(size):
        raise HookError(
            _wit.HELPER_ERROR_STATUS,
            f"size must be an integer from 0 to 4096, got {size!r}",
            "INVALID_SIZE",
        )
    wit_encoding = _wit.encoding_into_wit(encoding)
    return _wit.call_helper(_wit.wit_helpers.random_bytes, size, wit_encoding)


def sha256(data: str, encoding: Encoding = "hex") -> str:
    """SHA-256 of ``data`` (its UTF-8 bytes), encoded."""
    return _wit.wit_helpers.sha256(data, _wit.encoding_into_wit(encoding))


def hmac_sha256(data: str, secret: str, encoding: Encoding = "hex") -> str:
    """HMAC-SHA256 of ``data`` keyed with ``secret`` (both as UTF-8), encoded."""
    return _wit.wit_helpers.hmac_sha256(data, secret, _wit.encoding_into_wit(encoding))


def generate_ssh_key_pair(comment: str) -> SshKeyPair:
    """A fresh RSA key pair; ``comment`` ends the public key line (e.g. an email address).

    ``.to_dict()`` gives the reference's ``{"publicKey": ..., "privateKey": ...}``.
    Raises :class:`~hookline.HookError` 400 ``KEY_GENERATION_FAILED``.
    """
    pair = _wit.call_helper(_wit.wit_helpers.generate_ssh_key_pair, comment)
    return _wit.ssh_key_pair_from_wit(pair)
