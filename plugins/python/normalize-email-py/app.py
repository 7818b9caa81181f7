"""preHook: requires a string ``email`` in the JSON body and normalises it (trimmed, lowercase),
then marks the request with ``share.validationPassed = True`` for later hooks.

The Python twin of ``plugins/normalize-email``.
"""

import hookline
from hookline import Context, throw


@hookline.pre_hook
def before(ctx: Context) -> None:
    body = ctx.body()
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        throw(400, "Email is required")
    body["email"] = email.strip().lower()
    ctx.set_body(body)

    share = ctx.share()
    share["validationPassed"] = True
    ctx.set_share(share)
