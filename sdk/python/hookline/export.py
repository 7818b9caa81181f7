"""The decorators that turn plain functions into a plugin's component exports.

componentize-py implements each exported WIT interface with the class of the same name in the
plugin's app module (``PreHook`` with ``run``, ``Handler`` with ``handle``, ``PostHook`` with
``run``), raising ``Err(hook-error)`` for the WIT ``err`` case. The decorators define those
classes in the decorated function's module, so a plugin never names the bindings.
"""

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from . import _wit
from ._json import to_json
from .context import Context
from .error import HookError

F = TypeVar("F", bound=Callable[[Context], Any])


def pre_hook(function: F) -> F:
    """Exports ``function`` as the plugin's preHook (WIT ``pre-hook.run``).

    Returning ``None`` continues the request; any other value becomes the response and skips
    the handler (postHooks still run). The world must export ``pre-hook``, e.g.
    ``pre-hook-plugin``.
    """

    def run(_self: object, ctx: "_wit.RequestContext") -> str | None:
        return _call(function, ctx, _response_or_continue)

    _define_export(function, "PreHook", run)
    return function


def handler(function: F) -> F:
    """Exports ``function`` as the plugin's handler (WIT ``handler.handle``).

    Its return value, any JSON value, becomes the response data. The world must export
    ``handler``, e.g. ``handler-plugin``.
    """

    def handle(_self: object, ctx: "_wit.RequestContext") -> str:
        return _call(function, ctx, to_json)

    _define_export(function, "Handler", handle)
    return function


def post_hook(function: F) -> F:
    """Exports ``function`` as the plugin's postHook (WIT ``post-hook.run``).

    It runs after the handler on success and on error; its return value is ignored (change
    the response with :meth:`Context.set_data` and friends). The world must export
    ``post-hook``, e.g. ``post-hook-plugin``.
    """

    def run(_self: object, ctx: "_wit.RequestContext") -> None:
        return _call(function, ctx, _ignore)

    _define_export(function, "PostHook", run)
    return function


def _call(function: Callable[[Context], Any], ctx: "_wit.RequestContext", finish: Callable) -> Any:
    """Runs the hook and converts its result with ``finish``.

    A HookError is raised as the ``Err`` componentize-py returns as the WIT ``err``. Any other
    exception propagates and traps the instance (a 500 ``HOOK_TRAP``, the traceback in the
    server log), as a panic does in a Rust plugin.
    """
    try:
        return finish(function(Context(ctx)))
    except HookError as error:
        raise _wit.hook_error_into_wit(error) from None


def _response_or_continue(response: Any) -> str | None:
    """A preHook's WIT result: ``none`` continues, ``some(json)`` answers the request."""
    return None if response is None else to_json(response)


def _ignore(_result: Any) -> None:
    """A postHook's WIT result carries nothing."""
    return None


def _define_export(function: Callable[..., Any], class_name: str, method: Callable) -> None:
    module = sys.modules[function.__module__]
    if class_name in vars(module):
        raise ValueError(
            f"module {module.__name__!r} already defines {class_name}: "
            f"one function per hook kind can be exported"
        )
    setattr(module, class_name, type(class_name, (), {method.__name__: method}))
