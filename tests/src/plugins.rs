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

/// Whether a skipped backend or toolchain must fail the run (CI) rather than be skipped.
pub fn backends_required() -> bool {
    std::env::var("HOOKLINE_REQUIRE_BACKENDS").is_ok_and(|v| v == "1")
}

/// Records that the running test cannot have its prerequisite — `redis`, `javascript` or
/// `python`, the word the names of such tests carry — and must return without checking
/// anything. In CI (`HOOKLINE_REQUIRE_BACKENDS=1`) that fails the test. `cargo xtask test`
/// filters out the tests named with the word of a missing prerequisite before they run (listing
/// it in `XTASK_SKIPPED_SUITES`), so reaching this under it means a test needs the
/// prerequisite without carrying the word in its name: that fails too, rather than letting a
/// test that ran nothing count as passed.
pub fn skip_for_missing(word: &str, reason: &str) {
    assert!(
        !backends_required(),
        "{reason} (HOOKLINE_REQUIRE_BACKENDS=1)"
    );
    let filtered = std::env::var("XTASK_SKIPPED_SUITES").unwrap_or_default();
    assert!(
        !filtered.split(',').any(|w| w == word),
        "{reason}: this test needs it but its name lacks `{word}`, so `cargo xtask test` \
         could not leave it out; name it with `{word}`"
    );
    eprintln!("skipping: {reason}");
}

/// A JavaScript or Python example built by `plugins/build-all` into `plugins/dist`, or `None`
/// (with the reason printed) when it was not built because its toolchain is missing. In CI a
/// missing component fails instead.
pub fn dist_component(name: &str) -> Option<Vec<u8>> {
    let path = repo_root()
        .join("plugins")
        .join("dist")
        .join(format!("{name}.wasm"));
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            let word = if name.ends_with("-js") {
                "javascript"
            } else {
                "python"
            };
            skip_for_missing(
                word,
                &format!("{} not built ({e}); run plugins/build-all", path.display()),
            );
            None
        }
    }
}

/// An artifact cache shared by the servers of one test run, so a heavy guest (a 10-40 MB
/// JavaScript or Python component) is compiled once rather than once per test server.
pub fn shared_artifact_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("test-artifacts"),
        None => repo_root().join("target").join("test-artifacts"),
    }
}
