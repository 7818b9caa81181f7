//! Generated bindings for the `hookline:plugin` WIT package, kept in this one module; the rest
//! of the host converts to its own types at the boundary.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "plugin",
    imports: {
        // Blocking or waiting work: run off the async workers, awaited by the host.
        "hookline:plugin/helpers.bcrypt-hash": async | trappable,
        "hookline:plugin/helpers.bcrypt-compare": async | trappable,
        "hookline:plugin/helpers.generate-ssh-key-pair": async | trappable,
        "hookline:plugin/helpers.sleep": async | trappable,
        // Network round trips to the cache backend (or its in-process twin).
        "hookline:plugin/cache": async | trappable,
        "hookline:plugin/rate-limit": async | trappable,
        "hookline:plugin/repos": async | trappable,
        default: trappable,
    },
    exports: { default: async },
    with: {
        "hookline:plugin/context.request-context": crate::runtime::ContextHandle,
    },
});

pub use self::exports::hookline::plugin::{handler, post_hook, pre_hook};
pub use self::hookline::plugin::{cache, context, helpers, log, rate_limit, repos, types};
