"""HookError, how a hook fails its request with an HTTP error, and ``throw``."""

from typing import Any, NoReturn


class codes:
    """Machine codes of the errors the SDK raises by itself; a hook's own errors carry the
    codes it chooses (or none, which the host answers as ``HOOK_ERROR``)."""

    #: A value the hook handed to the host could not be serialised to JSON (e.g. a set, or
    #: NaN); a bug in the hook, hence a 500.
    NOT_SERIALIZABLE = "NOT_SERIALIZABLE"


class HookError(Exception):
    """An error that ends the hook and becomes the request's HTTP error response.

    Raise it from any hook function, or call :func:`throw`. The setters of
    :class:`~hookline.Context` raise it too when the host refuses a change; left uncaught,
    that refusal becomes the response.

    >>> error = HookError(422, "Age must be positive", code="AGE_INVALID", details={"field": "age"})
    >>> (error.status, error.code)
    (422, 'AGE_INVALID')
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(status, message)
        #: HTTP status, 400 to 599; the host answers anything else as 500.
        self.status = status
        #: Human-readable message (``message`` of the response).
        self.message = message
        #: Stable machine code for clients (``error.code``); ``None`` is answered as ``HOOK_ERROR``.
        self.code = code
        #: Extra JSON for the client (``error.details``); ``None`` sends none.
        self.details = details

    def __str__(self) -> str:
        return f"{self.status} {self.message}"

    def __repr__(self) -> str:
        return (
            f"HookError(status={self.status!r}, message={self.message!r}, "
            f"code={self.code!r}, details={self.details!r})"
        )


def throw(
    status: int,
    message: str,
    code: str | None = None,
    details: Any = None,
) -> NoReturn:
    """Ends the hook with an HTTP error: raises :class:`HookError`.

    >>> def check_age(age: int) -> None:
    ...     if age < 0:
    ...         throw(422, "Age must be positive", code="AGE_INVALID", details={"age": age})
    >>> check_age(-1)
    Traceback (most recent call last):
    ...
    hookline.error.HookError: 422 Age must be positive
    """
    raise HookError(status, message, code, details)
