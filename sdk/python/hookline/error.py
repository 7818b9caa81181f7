"""HookError, how a hook fails its request with an HTTP error, and ``throw``."""

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, Self

#: Response headers of an error: a mapping of names to values, or ``(name, value)`` pairs.
#: Values that are not strings (e.g. numbers) are converted with :func:`str`.
Headers = Mapping[str, object] | Iterable[tuple[str, object]]


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

    ``headers`` become response headers of the error, e.g. ``Retry-After`` on a 429; add more
    with :meth:`with_header`:

    >>> error = HookError(503, "Down for maintenance", headers={"Retry-After": 600})
    >>> error.with_header("X-Reason", "upgrade").headers
    [('Retry-After', '600'), ('X-Reason', 'upgrade')]
    """

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: Any = None,
        *,
        headers: Headers | None = None,
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
        #: Response headers of the error as ``(name, value)`` pairs, e.g. ``Retry-After``.
        self.headers: list[tuple[str, str]] = header_pairs(headers)

    def with_header(self, name: str, value: object) -> Self:
        """Adds a response header (``value`` converted with :func:`str`); returns the error, so
        calls chain."""
        self.headers.append((str(name), str(value)))
        return self

    def __str__(self) -> str:
        return f"{self.status} {self.message}"

    def __repr__(self) -> str:
        return (
            f"HookError(status={self.status!r}, message={self.message!r}, "
            f"code={self.code!r}, details={self.details!r}, headers={self.headers!r})"
        )


def throw(
    status: int,
    message: str,
    code: str | None = None,
    details: Any = None,
    *,
    headers: Headers | None = None,
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
    raise HookError(status, message, code, details, headers=headers)


def header_pairs(headers: Headers | None) -> list[tuple[str, str]]:
    """Headers as a fresh list of ``(name, value)`` string pairs, the WIT's
    ``list<tuple<string, string>>``: a mapping gives its items, any other iterable its pairs.

    >>> header_pairs({"Retry-After": 30})
    [('Retry-After', '30')]
    >>> header_pairs([("Vary", "a"), ("Vary", "b")])
    [('Vary', 'a'), ('Vary', 'b')]
    """
    if headers is None:
        return []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name), str(value)) for name, value in pairs]
