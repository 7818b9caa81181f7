//! The import bindings of the `hookline:plugin` `host` world, generated once for every plugin.
//!
//! Nothing outside this crate names these types except through `__private`, which the `export!`
//! macro uses to map a plugin's exports onto them; the public API converts to our own types.

wit_bindgen::generate!({
    path: "../wit",
    world: "host",
});
