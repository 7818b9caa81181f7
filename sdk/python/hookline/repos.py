"""Repositories over the server's user tables (WIT ``hookline:plugin/repos``), the reference's
``$ctx.$repos``.

A hook may use the tables its route targets and the tables its own attachment adds; any other
table is refused with a 403 ``TABLE_NOT_ALLOWED``. Queries, data and filters are anything
:func:`json.dumps` accepts; rows come back parsed. Ids are ``int`` values.

A query is a dict of ``filter``, ``fields``, ``sort``, ``limit``, ``page`` and ``meta``:
``filter`` is ``{field: {"_eq": value}}`` (also ``_neq``, ``_gt``, ``_gte``, ``_lt``, ``_lte``,
``_in``, ``_nin``, ``_contains``, ``_starts_with``, ``_ends_with``, ``_between``, ``_is_null``,
``_is_not_null``), combined with ``_and``, ``_or``, ``_not`` and nested through relations;
``fields`` the columns to answer (or ``"*"``); ``sort`` column names, ``-name`` descending;
``limit`` rows per page (default 10, 0 = the server's maximum); ``page`` from 1; ``meta`` a list
of ``totalCount`` and ``filterCount``::

    import hookline
    from hookline import Context, repos

    @hookline.handler
    def published_posts(ctx: Context) -> dict:
        result = repos.find("posts", {
            "filter": {"published": {"_eq": True}},
            "sort": ["-created_at"],
            "limit": 5,
            "meta": ["filterCount"],
        })
        return {"posts": result["data"], "total": result["meta"]["filterCount"]}

Every call is an ordinary (blocking) call. A refused or failed one raises
:class:`~hookline.HookError` with the status, code, message and details the host gave: 400
``VALIDATION_ERROR`` (per-field messages in ``details``), ``INVALID_FILTER`` or
``INVALID_QUERY``; 403 ``TABLE_NOT_ALLOWED``; 404 ``NOT_FOUND``; 409 ``UNIQUE_VIOLATION``; 504
``REPO_TIMEOUT``; ... Uncaught, it fails the request with it; catch it to recover.
"""

from collections.abc import Mapping
from typing import Any

from . import _wit
from ._json import parse_host_json, to_json

__all__ = ["count", "create", "delete", "find", "find_one", "update"]


def find(table: str, query: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The page of rows of ``table`` that ``query`` finds (without one, the first 10 rows):
    ``{"data": [rows], "meta": {...}}``, ``meta`` only when the query asks for counts.

    Raises :class:`~hookline.HookError`: 403 ``TABLE_NOT_ALLOWED``, 400 ``INVALID_FILTER`` or
    ``INVALID_QUERY``, 504 ``REPO_TIMEOUT``, ...; 500 ``NOT_SERIALIZABLE`` for a query JSON
    cannot hold.
    """
    json = to_json({} if query is None else query)
    return parse_host_json(_wit.call_repos(_wit.wit_repos.find, table, json))


def find_one(table: str, query: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The first row of ``table`` that ``query`` finds (without one, any row), or ``None``.

    Raises :class:`~hookline.HookError` as :func:`find`.
    """
    json = to_json({} if query is None else query)
    text = _wit.call_repos(_wit.wit_repos.find_one, table, json)
    return None if text is None else parse_host_json(text)


def create(table: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Inserts a row into ``table``, checked against its columns; returns it as stored, with
    its id.

    Raises :class:`~hookline.HookError`: 400 ``VALIDATION_ERROR`` (per-field messages in
    ``details``), 409 ``UNIQUE_VIOLATION``, or as :func:`find`.
    """
    json = to_json(data)
    return parse_host_json(_wit.call_repos(_wit.wit_repos.create, table, json))


def update(table: str, id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Changes the given fields of row ``id`` of ``table``; returns the changed row.

    Raises :class:`~hookline.HookError`: 404 ``NOT_FOUND``, 400 ``INVALID_ID`` (an id that is
    not an ``int``), or as :func:`create`.
    """
    key = _wit.id_into_wit(id)
    json = to_json(data)
    return parse_host_json(_wit.call_repos(_wit.wit_repos.update, table, key, json))


def delete(table: str, id: int) -> dict[str, Any]:
    """Deletes row ``id`` of ``table``; returns what it was.

    Raises :class:`~hookline.HookError`: 404 ``NOT_FOUND``, 400 ``INVALID_ID``, or as
    :func:`find`.
    """
    key = _wit.id_into_wit(id)
    return parse_host_json(_wit.call_repos(_wit.wit_repos.delete, table, key))


def count(table: str, filter: Mapping[str, Any] | None = None) -> int:
    """How many rows of ``table`` match ``filter`` (a filter as in a query); without one, every
    row.

    Raises :class:`~hookline.HookError` as :func:`find`.
    """
    return _wit.call_repos(_wit.wit_repos.count, table, to_json(filter))
