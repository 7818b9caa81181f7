"""The plain data the SDK hands out: user, earlier error, phase, log level, SSH key pair,
rate-limit result."""

import enum
from dataclasses import dataclass
from typing import Any

from .error import HookError


@dataclass(frozen=True)
class User:
    """The authenticated user of the request. Never carries secrets."""

    #: The user's id.
    id: int
    #: The user's email address.
    email: str
    #: The user's role, when one is assigned.
    role: str | None
    #: Whether the user administers the whole server.
    is_root_admin: bool
    #: Whether the user confirmed their email address.
    verified: bool
    #: The id of the user's organization, when they belong to one.
    organization: int | None


@dataclass(frozen=True)
class ErrorInfo:
    """The error of an earlier phase, as a postHook sees it on the error path."""

    #: The error message sent to the client.
    message: str
    #: The error's kind, e.g. ``HookError``.
    name: str
    #: The HTTP status of the error response.
    status_code: int
    #: The ``error.details`` sent to the client (parsed JSON), if any.
    details: Any
    #: When the error happened, RFC 3339.
    timestamp: str


@dataclass(frozen=True)
class SshKeyPair:
    """An RSA key pair from :func:`hookline.helpers.crypto.generate_ssh_key_pair`."""

    #: OpenSSH format: ``ssh-rsa AAAA... <comment>``.
    public_key: str
    #: PKCS#1 PEM: ``-----BEGIN RSA PRIVATE KEY-----...``.
    private_key: str

    def to_dict(self) -> dict[str, str]:
        """``{"publicKey": ..., "privateKey": ...}``, the reference's shape, ready for JSON."""
        return {"publicKey": self.public_key, "privateKey": self.private_key}


@dataclass(frozen=True)
class RateLimitResult:
    """What a rate-limit check answers (the reference's Result Object), from
    :mod:`hookline.rate_limit`.

    >>> result = RateLimitResult(False, 0, 1_700_000_060, 42, 5, 60)
    >>> result.to_dict()["retryAfter"]
    42
    >>> error = result.too_many("Too many login attempts")
    >>> (error.status, error.code, error.headers[0])
    (429, 'RATE_LIMITED', ('Retry-After', '42'))
    """

    #: Whether the request is allowed (and, for a check, counted).
    allowed: bool
    #: Requests still allowed in the window.
    remaining: int
    #: Unix time, seconds, when the oldest counted request leaves the window.
    reset_at: int
    #: Seconds to wait before a retry can succeed; 0 when allowed.
    retry_after: int
    #: The ``max_requests`` limit.
    limit: int
    #: The window, seconds (``per_seconds``).
    window: int

    def too_many(self, message: str) -> HookError:
        """A 429 ``RATE_LIMITED`` error with ``Retry-After`` and the ``X-RateLimit-Limit``,
        ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` headers of this result, to raise
        when it is not ``allowed``."""
        return HookError(
            429,
            message,
            "RATE_LIMITED",
            headers=[
                ("Retry-After", str(self.retry_after)),
                ("X-RateLimit-Limit", str(self.limit)),
                ("X-RateLimit-Remaining", str(self.remaining)),
                ("X-RateLimit-Reset", str(self.reset_at)),
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        """The reference's camelCase shape (``allowed``, ``remaining``, ``resetAt``,
        ``retryAfter``, ``limit``, ``window``), ready for JSON."""
        return {
            "allowed": self.allowed,
            "remaining": self.remaining,
            "resetAt": self.reset_at,
            "retryAfter": self.retry_after,
            "limit": self.limit,
            "window": self.window,
        }


class Phase(enum.Enum):
    """The lifecycle phase a hook runs in; it decides which setters the host accepts."""

    #: Before the handler: may rewrite the request or answer it early.
    PRE_HOOK = "pre-hook"
    #: The handler: produces the response data.
    HANDLER = "handler"
    #: After the handler, on success and on error: may adjust the response.
    POST_HOOK = "post-hook"


class LogLevel(enum.Enum):
    """Severity of a log message."""

    #: Detail for debugging a hook.
    DEBUG = "debug"
    #: Normal operation; what :meth:`Context.log <hookline.Context.log>` uses by default.
    INFO = "info"
    #: Something unexpected that the hook recovered from.
    WARN = "warn"
    #: A failure.
    ERROR = "error"
