"""Context: a hook's view of the request, over the host's ``request-context`` resource.

Every read asks the host for just that value, so a hook pays only for what it uses; nothing
is cached here, because a setter's effect must be visible to the next read.
"""

from typing import Any

from . import _wit
from ._json import parse_host_json, to_json
from .types import ErrorInfo, LogLevel, Phase, User


class Context:
    """The request a hook runs for: read it, change it (as the phase allows), and log.

    One request has one context through every hook of its lifecycle, so what a preHook stores
    with :meth:`set_share` is what later hooks read with :meth:`share`.

    The context is lent for the duration of one hook call; do not keep it afterwards.

    JSON values are what :func:`json.loads` returns (dict, list, str, int, float, bool, None).
    The setters raise :class:`~hookline.HookError` when the host refuses the change (e.g. a
    phase that does not allow it), or a 500 ``NOT_SERIALIZABLE`` for a value JSON cannot hold.
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: "_wit.RequestContext") -> None:
        self._inner = inner

    def phase(self) -> Phase:
        """The lifecycle phase the hook runs in."""
        return _wit.phase_from_wit(self._inner.phase())

    def method(self) -> str:
        """The HTTP method, e.g. ``POST``."""
        return self._inner.method()

    def path(self) -> str:
        """The request path, e.g. ``/hello/ada``."""
        return self._inner.path()

    def route(self) -> str:
        """The matched route pattern, e.g. ``/hello/:name``."""
        return self._inner.route()

    def params(self) -> dict[str, Any]:
        """The route parameters; every value is a string."""
        return parse_host_json(self._inner.params())

    def param(self, name: str) -> str | None:
        """One route parameter, e.g. ``name`` for the route ``/hello/:name``; ``None`` when the
        route has no such parameter."""
        value = self.params().get(name)
        if value is None or isinstance(value, str):
            return value
        return to_json(value)

    def query(self) -> dict[str, Any]:
        """The query parameters: string values, or a list of strings for a repeated key."""
        return parse_host_json(self._inner.query())

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name; several values are joined with ``, ``."""
        return self._inner.header(name)

    def headers(self) -> list[tuple[str, str]]:
        """Every request header as ``(name, value)`` pairs."""
        return self._inner.headers()

    def client_ip(self) -> str:
        """The client's IP address."""
        return self._inner.client_ip()

    def body(self) -> Any:
        """The JSON body; ``None`` when the request had none or it was not JSON."""
        return parse_host_json(self._inner.body())

    def raw_body(self) -> bytes:
        """The body bytes exactly as received."""
        return self._inner.raw_body()

    def user(self) -> User | None:
        """The authenticated user; ``None`` for an anonymous request."""
        user = self._inner.user()
        return None if user is None else _wit.user_from_wit(user)

    def config(self) -> Any:
        """The configuration attached to this hook or handler; ``{}`` when none is attached."""
        return parse_host_json(self._inner.config())

    def share(self) -> dict[str, Any]:
        """The ``share`` object that every later hook of the request sees."""
        return parse_host_json(self._inner.share())

    def data(self) -> Any:
        """postHooks: the response data so far; ``None`` on the error path."""
        return parse_host_json(self._inner.data())

    def status(self) -> int:
        """postHooks: the response status so far."""
        return self._inner.status()

    def error(self) -> ErrorInfo | None:
        """postHooks: the error of an earlier phase, if the request failed."""
        error = self._inner.error()
        return None if error is None else _wit.error_info_from_wit(error)

    def set_body(self, body: Any) -> None:
        """preHooks: replaces the request body the handler will see."""
        _wit.call_fallible(self._inner.set_body, to_json(body))

    def set_query(self, query: dict[str, Any]) -> None:
        """preHooks: replaces the query parameters; a dict."""
        _wit.call_fallible(self._inner.set_query, to_json(query))

    def set_params(self, params: dict[str, str]) -> None:
        """preHooks: replaces the route parameters; a dict of strings."""
        _wit.call_fallible(self._inner.set_params, to_json(params))

    def set_share(self, share: dict[str, Any]) -> None:
        """Any phase: replaces the ``share`` object; a dict. To add one key, read
        :meth:`share`, set the key, and write it back."""
        _wit.call_fallible(self._inner.set_share, to_json(share))

    def set_data(self, data: Any) -> None:
        """Handler and postHooks: replaces the response data."""
        _wit.call_fallible(self._inner.set_data, to_json(data))

    def set_status(self, status: int) -> None:
        """Handler and postHooks: sets the response status, 100 to 599."""
        _wit.call_fallible(self._inner.set_status, status)

    def set_header(self, name: str, value: str) -> None:
        """Handler and postHooks: sets a response header."""
        _wit.call_fallible(self._inner.set_header, name, value)

    def log(self, message: str, level: LogLevel = LogLevel.INFO) -> None:
        """Logs to the response's ``logs`` array and the server log (info level unless told)."""
        _wit.write_log(level, message)

    def __repr__(self) -> str:
        return f"Context({self._inner!r})"
