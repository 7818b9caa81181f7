"""Handler: answers the URL slug of the ``text`` in the JSON body, made by the host's
``auto_slug`` helper, e.g. ``{"text": "My Product Name"}`` → ``{"slug": "my-product-name"}``.
A body without a string ``text`` is a 400 ``text is required``.
"""

import hookline
from hookline import Context, helpers, throw


@hookline.handler
def handle(ctx: Context) -> dict:
    body = ctx.body()
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        throw(400, "text is required")
    return {"slug": helpers.auto_slug(text)}
