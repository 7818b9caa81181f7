"""Write Hookline preHooks, handlers and postHooks in Python.

A plugin is a Python module compiled to a WebAssembly component with ``componentize-py``
against a world of the ``hookline:plugin`` WIT package. It writes ordinary functions over a
:class:`Context` and marks each with the decorator of the hook kind it implements; the
component then exports exactly those Hookline interfaces, which is how the server learns
whether the plugin is a preHook, a handler, a postHook, or several of them.

=============  ==========================================  ==================================
decorator      function                                    result
=============  ==========================================  ==================================
``pre_hook``   ``def f(ctx: Context) -> object | None``    ``None`` continues; a value answers
                                                           the request and skips the handler
``handler``    ``def f(ctx: Context) -> object``           the response data
``post_hook``  ``def f(ctx: Context) -> None``             (change the response with setters)
=============  ==========================================  ==================================

Import everything at module level: componentize-py runs the module's top-level code at build
time and snapshots it, and the component has no Python files to import from at run time.

Raising :class:`HookError` (or calling :func:`throw`) ends the request with that HTTP error::

    import hookline
    from hookline import Context, throw

    @hookline.handler
    def greet(ctx: Context) -> dict:
        name = ctx.param("name")
        if name is None:
            throw(400, "name is required")
        return {"message": f"hello, {name}"}

:mod:`hookline.helpers` reaches the host's native helpers: ``helpers.jwt``, ``helpers.bcrypt_hash``,
``helpers.auto_slug``, ``helpers.crypto.random_bytes`` and the rest; :mod:`hookline.cache` its
user cache and locks; :mod:`hookline.rate_limit` its sliding-window rate limits;
:mod:`hookline.repos` the user tables.
"""

from . import cache, helpers, rate_limit, repos
from .context import Context
from .error import HookError, codes, throw
from .export import handler, post_hook, pre_hook
from .types import ErrorInfo, LogLevel, Phase, RateLimitResult, SshKeyPair, User

__all__ = [
    "Context",
    "ErrorInfo",
    "HookError",
    "LogLevel",
    "Phase",
    "RateLimitResult",
    "SshKeyPair",
    "User",
    "cache",
    "codes",
    "handler",
    "helpers",
    "post_hook",
    "pre_hook",
    "rate_limit",
    "repos",
    "throw",
]
