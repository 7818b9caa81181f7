"""The host without Wasm: ``request-context`` held in memory, and ``helpers`` on the standard
library."""

import base64
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
import uuid
from typing import Any
from unittest import mock

from componentize_py_types import Err
from wit_world.imports import context as wit_context
from wit_world.imports import helpers as wit_helpers
from wit_world.imports import types as wit_types

#: What the Hookline host answers when a setter is called in a phase that does not allow it.
PHASE_NOT_ALLOWED = wit_types.HookError(
    500, "PHASE_NOT_ALLOWED", "body cannot be changed in this phase (Handler)", None
)


#: The ``iat`` of the fake host's tokens.
FAKE_IAT = 1_700_000_000


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


class FakeHelpers:
    """The host's ``helpers`` on the standard library, with the host's helper-error codes.

    Use as a context manager: it replaces the functions of the ``helpers`` bindings while
    active, and records every call the guest made in :attr:`calls`.
    """

    def __init__(self) -> None:
        #: Every helper call, as ``(name, *arguments)``.
        self.calls: list[tuple[Any, ...]] = []
        self._patch = mock.patch.multiple(
            wit_helpers,
            **{
                name: getattr(self, name)
                for name in (
                    "jwt",
                    "bcrypt_hash",
                    "bcrypt_compare",
                    "auto_slug",
                    "random_uuid",
                    "random_bytes",
                    "sha256",
                    "hmac_sha256",
                    "generate_ssh_key_pair",
                    "sleep",
                )
            },
        )

    def __enter__(self) -> "FakeHelpers":
        self._patch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._patch.stop()

    @staticmethod
    def _helper_error(code: str, message: str) -> Err:
        return Err(wit_helpers.HelperError(code, message))

    @staticmethod
    def _encode(data: bytes, encoding: wit_helpers.Encoding) -> str:
        # Like the glue: anything but the WIT enum is a bug in the caller.
        if not isinstance(encoding, wit_helpers.Encoding):
            raise TypeError(f"{encoding!r} is not a helpers.Encoding")
        if encoding is wit_helpers.Encoding.HEX:
            return data.hex()
        if encoding is wit_helpers.Encoding.BASE64:
            return base64.b64encode(data).decode()
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def jwt(self, payload: str, expiration: str) -> str:
        self.calls.append(("jwt", payload, expiration))
        match = re.fullmatch(r"(\d+)([smhd])", expiration)
        if match is None:
            raise self._helper_error(
                "INVALID_EXPIRATION", f"invalid expiration {expiration!r}: use e.g. 15m, 1h, 7d"
            )
        claims = json.loads(payload)
        if not isinstance(claims, dict):
            raise self._helper_error("INVALID_PAYLOAD", "the payload must be a JSON object")
        seconds = int(match[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
        claims.update(iat=FAKE_IAT, exp=FAKE_IAT + seconds)
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"eyJhbGciOiJIUzI1NiJ9.{body}.fake-signature"

    def bcrypt_hash(self, plain: str) -> str:
        self.calls.append(("bcrypt_hash", plain))
        if len(plain.encode()) > 72:
            raise self._helper_error("BCRYPT_FAILED", "password longer than 72 bytes")
        return "$2b$04$fake" + plain.encode().hex()

    def bcrypt_compare(self, plain: str, hash: str) -> bool:
        self.calls.append(("bcrypt_compare", plain, hash))
        return hash == "$2b$04$fake" + plain.encode().hex()

    def auto_slug(self, text: str) -> str:
        self.calls.append(("auto_slug", text))
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100]

    def random_uuid(self) -> str:
        self.calls.append(("random_uuid",))
        return str(uuid.uuid4())

    def random_bytes(self, size: int, encoding: wit_helpers.Encoding) -> str:
        self.calls.append(("random_bytes", size, encoding))
        if size > 4096:
            raise self._helper_error("INVALID_SIZE", f"at most 4096 random bytes, asked for {size}")
        return self._encode(secrets.token_bytes(size), encoding)

    def sha256(self, data: str, encoding: wit_helpers.Encoding) -> str:
        self.calls.append(("sha256", data, encoding))
        return self._encode(hashlib.sha256(data.encode()).digest(), encoding)

    def hmac_sha256(self, data: str, secret: str, encoding: wit_helpers.Encoding) -> str:
        self.calls.append(("hmac_sha256", data, secret, encoding))
        digest = hmac.new(secret.encode(), data.encode(), hashlib.sha256).digest()
        return self._encode(digest, encoding)

    def generate_ssh_key_pair(self, comment: str) -> wit_helpers.SshKeyPair:
        self.calls.append(("generate_ssh_key_pair", comment))
        return wit_helpers.SshKeyPair(
            f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABfake {comment}",
            "-----BEGIN RSA PRIVATE KEY-----\nfake\n-----END RSA PRIVATE KEY-----\n",
        )

    def sleep(self, ms: int) -> None:
        self.calls.append(("sleep", ms))
        if type(ms) is not int or not 0 <= ms < 2**64:
            raise OverflowError(f"{ms!r} is not a u64")
