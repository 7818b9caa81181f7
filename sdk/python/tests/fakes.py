"""The host without Wasm: ``request-context``, ``cache``, ``rate-limit`` and ``repos`` held in
memory, and ``helpers`` on the standard library; and a plugin's app module for the hooks a test
exports."""

import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
import types
import unicodedata
import unittest
import uuid
from collections.abc import Callable
from typing import Any
from unittest import mock

from componentize_py_types import Err
from wit_world.imports import cache as wit_cache
from wit_world.imports import context as wit_context
from wit_world.imports import helpers as wit_helpers
from wit_world.imports import rate_limit as wit_rate_limit
from wit_world.imports import repos as wit_repos
from wit_world.imports import types as wit_types

from hookline import HookError

#: What the Hookline host answers when a setter is called in a phase that does not allow it.
PHASE_NOT_ALLOWED = wit_types.HookError(
    500, "PHASE_NOT_ALLOWED", "body cannot be changed in this phase (Handler)", None, []
)


#: The ``iat`` of the fake host's tokens.
FAKE_IAT = 1_700_000_000


def plugin_module(
    test: unittest.TestCase, export: Callable[[Any], Any], hook: Callable[[Any], Any]
) -> types.ModuleType:
    """A fresh module standing in for a plugin's ``app`` module, with ``hook`` exported from it
    by ``export`` (``hookline.pre_hook``, ``hookline.handler`` or ``hookline.post_hook``); it
    leaves ``sys.modules`` when ``test`` ends."""
    module = types.ModuleType("hook_plugin_under_test")
    sys.modules[module.__name__] = module
    test.addCleanup(sys.modules.pop, module.__name__)
    hook.__module__ = module.__name__
    export(hook)
    return module


class RefusalAssertions(unittest.TestCase):
    """Tests of calls the host refuses."""

    def assert_refused(self, call: Callable[[], object], status: int, code: str) -> HookError:
        """Asserts that ``call`` raises a HookError with ``status`` and ``code``; returns it."""
        with self.assertRaises(HookError) as raised:
            call()
        self.assertEqual((raised.exception.status, raised.exception.code), (status, code))
        return raised.exception


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


class _FakeImport:
    """Replaces the functions of a bindings module while active (a context manager) and records
    every call the guest made in :attr:`calls`, as ``(name, *arguments)``."""

    #: The bindings module, the names of its functions and the record of its ``err`` (with a
    #: ``code`` and a ``message``), set by subclasses.
    module: Any = None
    functions: tuple[str, ...] = ()
    error_record: Any = None

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        # One patch per function: `mock.patch.multiple` would take a function named `create`
        # (repos) for its own `create` flag and leave it unpatched.
        self._patches = [
            mock.patch.object(self.module, name, self._recorded(name)) for name in self.functions
        ]

    def _recorded(self, name: str) -> Any:
        method = getattr(self, name)

        def call(*args: Any) -> Any:
            self.calls.append((name, *args))
            return method(*args)

        return call

    def __enter__(self) -> Any:
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for patch in reversed(self._patches):
            patch.stop()

    def _error(self, code: str, message: str) -> Err:
        return Err(self.error_record(code, message))


#: One year in milliseconds, the host's longest cache TTL.
MAX_TTL_MS = 365 * 24 * 3600 * 1000


class FakeCache(_FakeImport):
    """The host's ``cache`` in memory, with its cache-error codes; :attr:`unavailable` makes
    every call fail as a backend that does not answer."""

    module = wit_cache
    functions = ("get", "set", "set_no_expire", "acquire", "release", "exists", "delete_key")
    error_record = wit_cache.CacheError

    def __init__(self) -> None:
        super().__init__()
        self.unavailable = False
        #: Cached values and lock owners (JSON text), by key.
        self.values: dict[str, str] = {}
        self.locks: dict[str, str] = {}

    def _check_key(self, key: str) -> None:
        if self.unavailable:
            raise self._error("CACHE_UNAVAILABLE", "the cache did not answer in time")
        if not 1 <= len(key) <= 512:
            raise self._error("INVALID_KEY", "key must be 1 to 512 bytes")

    def _check_ttl(self, ttl_ms: int) -> None:
        # Like the glue: anything but a u64 is a bug in the caller.
        if type(ttl_ms) is not int or not 0 <= ttl_ms < 2**64:
            raise OverflowError(f"{ttl_ms!r} is not a u64")
        if not 1 <= ttl_ms <= MAX_TTL_MS:
            raise self._error(
                "INVALID_TTL", f"ttl-ms must be between 1 and {MAX_TTL_MS} (one year), got {ttl_ms}"
            )

    @staticmethod
    def _same(a: str, b: str) -> bool:
        return json.loads(a) == json.loads(b)

    def get(self, key: str) -> str | None:
        self._check_key(key)
        return self.values.get(key)

    def set(self, key: str, value: str, ttl_ms: int) -> None:
        self._check_ttl(ttl_ms)
        self._check_key(key)
        self.values[key] = value

    def set_no_expire(self, key: str, value: str) -> None:
        self._check_key(key)
        self.values[key] = value

    def acquire(self, key: str, owner: str, ttl_ms: int) -> bool:
        self._check_ttl(ttl_ms)
        self._check_key(key)
        if key in self.locks:
            return False
        self.locks[key] = owner
        return True

    def release(self, key: str, owner: str) -> bool:
        self._check_key(key)
        if key not in self.locks or not self._same(self.locks[key], owner):
            return False
        del self.locks[key]
        return True

    def exists(self, key: str, value: str) -> bool:
        self._check_key(key)
        held = (self.values.get(key), self.locks.get(key))
        return any(text is not None and self._same(text, value) for text in held)

    def delete_key(self, key: str) -> bool:
        self._check_key(key)
        return self.values.pop(key, None) is not None


#: The fake clock of :class:`FakeRateLimit`, Unix seconds.
FAKE_NOW = 1_700_000_000


class FakeRateLimit(_FakeImport):
    """The host's ``rate-limit``: sliding windows in memory on a fixed clock (:attr:`now`),
    with the host's key templates and rate-limit-error codes, for the request of :attr:`ip`,
    :attr:`route` and :attr:`user_id`; :attr:`unavailable` makes every call fail."""

    module = wit_rate_limit
    functions = (
        "by_ip",
        "by_user",
        "by_route",
        "by_ip_global",
        "by_user_global",
        "check",
        "status",
        "reset",
    )
    error_record = wit_rate_limit.RateLimitError

    def __init__(self) -> None:
        super().__init__()
        self.ip = "127.0.0.1"
        self.route = "/auth/login"
        self.user_id: int | None = None
        self.now = FAKE_NOW
        self.unavailable = False
        #: The times of the counted requests, by key.
        self.windows: dict[str, list[int]] = {}

    def _check_key(self, key: str) -> None:
        if self.unavailable:
            raise self._error("RATE_LIMIT_UNAVAILABLE", "the rate limiter is unavailable")
        if not key:
            raise self._error("INVALID_KEY", "key must not be empty")

    def _limit(
        self, key: str, options: wit_rate_limit.Options, counting: bool
    ) -> wit_rate_limit.RateLimitResult:
        if not isinstance(options, wit_rate_limit.Options):
            raise TypeError(f"{options!r} is not a rate_limit.Options")
        self._check_key(key)
        maximum, per = options.max_requests, options.per_seconds
        if not (1 <= maximum <= 100_000 and 1 <= per <= 31_536_000):
            raise self._error(
                "INVALID_OPTIONS", "max-requests must be 1 to 100000 and per-seconds 1 to 31536000"
            )
        hits = [time for time in self.windows.get(key, []) if time > self.now - per]
        allowed = len(hits) < maximum
        if allowed and counting:
            hits.append(self.now)
        self.windows[key] = hits
        oldest = hits[0] if hits else self.now
        return wit_rate_limit.RateLimitResult(
            allowed=allowed,
            remaining=max(maximum - len(hits), 0),
            reset_at=oldest + per,
            retry_after=0 if allowed else oldest + per - self.now,
            limit=maximum,
            window=per,
        )

    def _user_key(self) -> str:
        if self.user_id is None:
            raise self._error("NO_USER", "by-user rate limits need an authenticated user")
        return f"user:{self.user_id}"

    def by_ip(self, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(f"ip:{self.ip}:{self.route}", options, True)

    def by_user(self, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(f"{self._user_key()}:{self.route}", options, True)

    def by_route(self, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(f"route:{self.route}", options, True)

    def by_ip_global(self, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(f"ip:{self.ip}", options, True)

    def by_user_global(self, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(self._user_key(), options, True)

    def check(self, key: str, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(key, options, True)

    def status(self, key: str, options: wit_rate_limit.Options) -> wit_rate_limit.RateLimitResult:
        return self._limit(key, options, False)

    def reset(self, key: str) -> None:
        self._check_key(key)
        self.windows.pop(key, None)


#: The columns of :class:`FakeRepos`' tables besides ``id``: ``title`` is required, ``slug``
#: unique.
REPO_COLUMNS = ("title", "slug", "published")

#: The keys a query may have.
_QUERY_KEYS = ("filter", "fields", "sort", "limit", "page", "meta")


class FakeRepos(_FakeImport):
    """The host's ``repos``: user tables in memory, with the host's repo-error records (their
    own status, code, message and JSON details) and a small part of the query language
    (``filter`` with ``_eq``, ``_gt`` and ``_and``; ``sort``; ``limit``; ``page``; ``meta``).
    :attr:`allowed` names the tables the hook may use; :attr:`timeout` makes every call time
    out."""

    module = wit_repos
    functions = ("find", "find_one", "create", "update", "delete", "count")

    def __init__(self) -> None:
        super().__init__()
        self.allowed = ["posts"]
        self.timeout = False
        #: The rows of each table by id.
        self.tables: dict[str, dict[int, dict[str, Any]]] = {}
        self._next_id = 1

    @staticmethod
    def _refused(status: int, code: str, message: str, details: Any = None) -> Err:
        text = None if details is None else json.dumps(details)
        return Err(wit_repos.RepoError(status, code, message, text))

    def _rows(self, table: str) -> dict[int, dict[str, Any]]:
        """The rows of ``table``, after the host's checks common to every call."""
        if self.timeout:
            raise self._refused(504, "REPO_TIMEOUT", "the database did not answer in time")
        if table not in self.allowed:
            message = f'this hook may not use the table "{table}"'
            raise self._refused(403, "TABLE_NOT_ALLOWED", message)
        return self.tables.setdefault(table, {})

    @staticmethod
    def _check_id(id: int) -> None:
        # Like the glue: anything but an s64 is a bug in the caller.
        if type(id) is not int or not -(2**63) <= id < 2**63:
            raise OverflowError(f"{id!r} is not an s64")

    def _row(self, rows: dict[int, dict[str, Any]], id: int) -> dict[str, Any]:
        if id not in rows:
            raise self._refused(404, "NOT_FOUND", f"no row {id}")
        return rows[id]

    def _checked(self, data: str, rows: dict, creating: bool, id: int | None = None) -> dict:
        """The fields of ``data``, checked against the columns; ``creating`` requires the
        title."""
        fields = json.loads(data)
        problems = {name: "is not a column" for name in fields if name not in REPO_COLUMNS}
        if (creating or "title" in fields) and not isinstance(fields.get("title"), str):
            problems["title"] = "is required"
        if problems:
            raise self._refused(400, "VALIDATION_ERROR", "the row is not valid", problems)
        slug = fields.get("slug")
        if slug is not None and any(r["id"] != id and r.get("slug") == slug for r in rows.values()):
            raise self._refused(409, "UNIQUE_VIOLATION", f'slug "{slug}" is taken')
        return fields

    def _matches(self, row: dict[str, Any], filter: dict[str, Any]) -> bool:
        for name, condition in filter.items():
            if name == "_and":
                if not all(self._matches(row, part) for part in condition):
                    return False
                continue
            for operator, value in condition.items():
                if operator == "_eq":
                    matched = row.get(name) == value
                elif operator == "_gt":
                    matched = row.get(name) is not None and row[name] > value
                else:
                    raise self._refused(400, "INVALID_FILTER", f"unknown operator {operator}")
                if not matched:
                    return False
        return True

    def _select(self, table: str, query: str) -> tuple[list[dict], dict[str, int]]:
        """The rows ``query`` finds, and the counts it asks for."""
        rows = self._rows(table)
        parsed = json.loads(query)
        parsed = {} if parsed is None else parsed
        if not isinstance(parsed, dict):
            raise self._refused(400, "INVALID_QUERY", "a query is a JSON object")
        unknown = [key for key in parsed if key not in _QUERY_KEYS]
        if unknown:
            raise self._refused(
                400, "INVALID_QUERY", f'"{unknown[0]}" is not one of {", ".join(_QUERY_KEYS)}'
            )
        found = [row for row in rows.values() if self._matches(row, parsed.get("filter") or {})]
        for key in reversed(parsed.get("sort") or []):
            name = key.lstrip("-")
            found.sort(key=lambda row, name=name: row[name], reverse=key.startswith("-"))
        limit = parsed.get("limit", 10)
        limit = len(found) if limit == 0 else limit
        start = (parsed.get("page", 1) - 1) * limit
        counts = {"totalCount": len(rows), "filterCount": len(found)}
        return found[start : start + limit], {name: counts[name] for name in parsed.get("meta", [])}

    def find(self, table: str, query: str) -> str:
        data, meta = self._select(table, query)
        return json.dumps({"data": data, "meta": meta} if meta else {"data": data})

    def find_one(self, table: str, query: str) -> str | None:
        data, _ = self._select(table, query)
        return json.dumps(data[0]) if data else None

    def create(self, table: str, data: str) -> str:
        rows = self._rows(table)
        row = {"id": self._next_id, "published": False, **self._checked(data, rows, True)}
        self._next_id += 1
        rows[row["id"]] = row
        return json.dumps(row)

    def update(self, table: str, id: int, data: str) -> str:
        self._check_id(id)
        rows = self._rows(table)
        row = self._row(rows, id)
        row.update(self._checked(data, rows, False, id))
        return json.dumps(row)

    def delete(self, table: str, id: int) -> str:
        self._check_id(id)
        rows = self._rows(table)
        row = self._row(rows, id)
        del rows[id]
        return json.dumps(row)

    def count(self, table: str, filter: str) -> int:
        rows = self._rows(table)
        parsed = json.loads(filter) or {}
        return sum(1 for row in rows.values() if self._matches(row, parsed))
