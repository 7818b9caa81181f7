"""Handler: greets the ``name`` route parameter, e.g. ``GET /hello/ada`` on the route
``/hello/:name`` answers ``{"message": "hello, ada"}``.

Config ``{"greeting": "hi"}`` replaces the word ``hello``. The Python twin of ``plugins/hello``.
"""

import hookline
from hookline import Context

#: The greeting when the config names none.
DEFAULT_GREETING = "hello"

#: Who is greeted when the route has no ``name`` parameter.
DEFAULT_NAME = "world"


@hookline.handler
def handle(ctx: Context) -> dict:
    config = ctx.config()
    greeting = config.get("greeting") if isinstance(config, dict) else None
    if not isinstance(greeting, str):
        greeting = DEFAULT_GREETING
    name = ctx.param("name")
    if name is None:
        name = DEFAULT_NAME
    return {"message": f"{greeting}, {name}"}
