"""A request context without Wasm: the host's side of ``request-context``, held in memory."""

import json
from typing import Any

from componentize_py_types import Err
from wit_world.imports import context as wit_context
from wit_world.imports import types as wit_types

#: What the Hookline host answers when a setter is called in a phase that does not allow it.
PHASE_NOT_ALLOWED = wit_types.HookError(
    500, "PHASE_NOT_ALLOWED", "body cannot be changed in this phase (Handler)", None
)


class FakeRequestContext:
    """Stores what a host would send as JSON text, and records what the guest sets."""

    def __init__(
        self,
        *,
        phase: wit_context.Phase = wit_context.Phase.PRE_HOOK,
        params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        headers: list[tuple[str, str]] | None = None,
        body: Any = None,
        config: Any = None,
        share: dict[str, Any] | None = None,
        user: wit_types.User | None = None,
        error: wit_types.ErrorInfo | None = None,
        refuse: bool = False,
    ) -> None:
        self._phase = phase
        self.texts = {
            "params": json.dumps(params or {}),
            "query": json.dumps(query or {}),
            "body": json.dumps(body),
            "config": json.dumps({} if config is None else config),
            "share": json.dumps(share or {}),
            "data": "null",
        }
        self._headers = headers or []
        self._user = user
        self._error = error
        self._refuse = refuse
        #: Every setter call the guest made, as ``(setter, argument)``.
        self.set_calls: list[tuple[str, Any]] = []

    def phase(self) -> wit_context.Phase:
        return self._phase

    def method(self) -> str:
        return "POST"

    def path(self) -> str:
        return "/hello/ada"

    def route(self) -> str:
        return "/hello/:name"

    def params(self) -> str:
        return self.texts["params"]

    def query(self) -> str:
        return self.texts["query"]

    def header(self, name: str) -> str | None:
        values = [value for key, value in self._headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def headers(self) -> list[tuple[str, str]]:
        return list(self._headers)

    def client_ip(self) -> str:
        return "127.0.0.1"

    def body(self) -> str:
        return self.texts["body"]

    def raw_body(self) -> bytes:
        return self.texts["body"].encode()

    def user(self) -> wit_types.User | None:
        return self._user

    def config(self) -> str:
        return self.texts["config"]

    def share(self) -> str:
        return self.texts["share"]

    def data(self) -> str:
        return self.texts["data"]

    def status(self) -> int:
        return 200

    def error(self) -> wit_types.ErrorInfo | None:
        return self._error

    def _set(self, name: str, value: Any) -> None:
        if self._refuse:
            raise Err(PHASE_NOT_ALLOWED)
        self.set_calls.append((name, value))
        if name in self.texts:
            self.texts[name] = value

    def set_body(self, body: str) -> None:
        self._set("body", body)

    def set_query(self, query: str) -> None:
        self._set("query", query)

    def set_params(self, params: str) -> None:
        self._set("params", params)

    def set_share(self, share: str) -> None:
        self._set("share", share)

    def set_data(self, data: str) -> None:
        self._set("data", data)

    def set_status(self, status: int) -> None:
        self._set("status", status)

    def set_header(self, name: str, value: str) -> None:
        self._set("header", (name, value))
