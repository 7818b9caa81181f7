//! The example plugins, built once per test process with the plugins workspace's own cargo
//! invocation (cargo's lock makes concurrent test processes wait for one build).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository root")
}

/// Builds the Rust example plugins (a no-op when they are up to date) and returns their
/// output directory.
pub fn plugins_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let plugins = repo_root().join("plugins");
        // Same rule as `cargo xtask plugins`: beside a shared target directory when one is set.
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => PathBuf::from(dir).join("wasm-plugins"),
            None => plugins.join("target"),
        };
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--quiet"])
            .current_dir(&plugins)
            // The plugins get a target directory of their own; sharing the outer one would make
            // this build wait on the lock the running test build holds.
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .status()
            .expect("running cargo to build the example plugins");
        assert!(status.success(), "building the example plugins failed");
        target.join("wasm32-wasip2").join("release")
    })
}

/// The path of a built example plugin, by its file stem (`normalize_email`).
pub fn plugin_path(stem: &str) -> PathBuf {
    plugins_dir().join(format!("{stem}.wasm"))
}

pub fn plugin_bytes(stem: &str) -> Vec<u8> {
    let path = plugin_path(stem);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
