"""The plain data the SDK hands out: user, earlier error, phase, log level, SSH key pair."""

import enum
from dataclasses import dataclass
from typing import Any


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
