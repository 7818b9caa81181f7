//! Project tasks, run as `cargo xtask <task>` (std only, so it builds in seconds):
//!
//! - `plugins`: build the example plugins of every language (see `plugins/build-all`).
//! - `demo`: build the plugins and run the server on the embedded default with demo routes.
//! - `test`: the whole test suite — every crate on SQLite, the JavaScript and Python SDKs' unit
//!   tests, then the black-box tests again on a PostgreSQL server they start themselves.
//! - `soak [seconds]`: the soak test (`tests/tests/soak.rs`, default 180 s): the demo server
//!   under mixed load while its Redis and PostgreSQL go down and come back; prints its figures.
//!
//! Each task first makes sure the toolchain can build the plugins (the `wasm32-wasip2` target,
//! installed through rustup when missing). `test` says, before it starts and in its last lines,
//! which suites it skips because a backend or toolchain is not installed, and how to install it;
//! in CI (`HOOKLINE_REQUIRE_BACKENDS=1`) a skip is a failure.

mod toolchain;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const DEMO_ADMIN_EMAIL: &str = "admin@hookline.local";
const DEMO_ADMIN_PASSWORD: &str = "hookline-demo-password";

/// Names the black-box tests carry when they need one of the optional backends or toolchains:
/// `cargo test -- --skip <word>` leaves them out, so a missing prerequisite shows as tests
/// filtered out rather than as tests that passed having run nothing. The harness refuses a test
/// that needs one of these without carrying its word (see `tests/src/plugins.rs`).
const SKIP_FILTER_ENV: &str = "XTASK_SKIPPED_SUITES";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository root")
        .to_path_buf()
}

/// A `cargo` command run from the repository root, without the variables `cargo run` set for
/// this task (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, ...): build scripts that read them (ring's
/// does) would otherwise see the xtask's values and rebuild, with everything above them, on
/// every switch between `cargo xtask ...` and a plain `cargo test`.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            )
        {
            command.env_remove(name);
        }
    }
    command
}

fn run(mut command: Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("running {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

/// Where the plugin workspace builds: beside a shared target directory when one is set (CI),
/// else its own `plugins/target`. The test harness uses the same rule.
fn plugin_target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("wasm-plugins"),
        None => root().join("plugins").join("target"),
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn backends_required() -> bool {
    std::env::var("HOOKLINE_REQUIRE_BACKENDS").is_ok_and(|v| v == "1")
}

/// An optional prerequisite of part of the suite.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prerequisite {
    Redis,
    JavaScript,
    Python,
    PostgreSql,
}

impl Prerequisite {
    const ALL: [Prerequisite; 4] = [
        Prerequisite::Redis,
        Prerequisite::JavaScript,
        Prerequisite::Python,
        Prerequisite::PostgreSql,
    ];

    /// What is skipped without it.
    fn suites(self) -> &'static str {
        match self {
            Prerequisite::Redis => {
                "the Redis suites (cache, cache_examples and cache_nodes on Redis: tests named `redis`)"
            }
            Prerequisite::JavaScript => {
                "the JavaScript plugins, their black-box tests (named `javascript`) and the JS SDK tests"
            }
            Prerequisite::Python => {
                "the Python plugins, their black-box tests (named `python`) and the Python SDK tests"
            }
            Prerequisite::PostgreSql => "the PostgreSQL pass of the black-box tests",
        }
    }

    /// The word in the names of the tests that need it, if they run in the SQLite pass.
    fn test_word(self) -> Option<&'static str> {
        match self {
            Prerequisite::Redis => Some("redis"),
            Prerequisite::JavaScript => Some("javascript"),
            Prerequisite::Python => Some("python"),
            Prerequisite::PostgreSql => None,
        }
    }

    fn install(self) -> &'static str {
        match self {
            Prerequisite::Redis => "apt-get install redis-server",
            Prerequisite::JavaScript => "apt-get install nodejs npm",
            Prerequisite::Python => "apt-get install python3 python3-venv",
            Prerequisite::PostgreSql => "apt-get install postgresql",
        }
    }

    /// The program it lacks, or `None` when it is installed.
    fn missing(self) -> Option<&'static str> {
        let needs: &[&'static str] = match self {
            Prerequisite::Redis => &["redis-server"],
            Prerequisite::JavaScript => &["node", "npm"],
            Prerequisite::Python => &["python3"],
            Prerequisite::PostgreSql => {
                return (!postgres_installed()).then_some("initdb/postgres");
            }
        };
        needs.iter().copied().find(|program| !on_path(program))
    }
}

/// The prerequisites that are missing, each with the program it lacks. In CI that is an error.
fn missing_prerequisites() -> Result<Vec<(Prerequisite, &'static str)>, String> {
    let missing: Vec<_> = Prerequisite::ALL
        .into_iter()
        .filter_map(|p| Some((p, p.missing()?)))
        .collect();
    if backends_required() && !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(p, program)| format!("{program} ({})", p.install()))
            .collect();
        return Err(format!(
            "HOOKLINE_REQUIRE_BACKENDS=1 but not installed: {}",
            list.join(", ")
        ));
    }
    Ok(missing)
}

fn report_skips(missing: &[(Prerequisite, &'static str)]) {
    for (prerequisite, program) in missing {
        println!(
            "xtask: SKIPPED {}: {program} not found (install: {})",
            prerequisite.suites(),
            prerequisite.install()
        );
    }
}

/// Builds the Rust examples, then the JavaScript and Python ones into `plugins/dist` unless
/// their toolchains' prerequisites are in `missing`.
fn build_plugins(missing: &[(Prerequisite, &'static str)]) -> Result<PathBuf, String> {
    toolchain::ensure_wasm_target()?;
    let target = plugin_target_dir();
    let mut command = cargo();
    command
        .args(["build", "--release"])
        .current_dir(root().join("plugins"))
        .env("CARGO_TARGET_DIR", &target);
    run(command)?;
    for (language, script) in [
        (Prerequisite::JavaScript, "plugins/js/build"),
        (Prerequisite::Python, "plugins/python/build"),
    ] {
        if !missing.iter().any(|(p, _)| *p == language) {
            run(Command::new(root().join(script)))?;
        }
    }
    Ok(target.join("wasm32-wasip2").join("release"))
}

/// Where cargo puts what it builds for the workspace.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Builds the plugins and the server and runs it with the demo routes. The server is built
/// by `cargo build --workspace --bins --tests`, which selects what `cargo test --workspace`
/// selects and so resolves features alike (`cargo run --package hookline` would leave out the
/// test crates' features and rebuild wasmtime, sea-orm and hyper with fewer): after
/// `cargo xtask test` the demo compiles nothing, and the reverse. A first demo compiles the
/// test binaries too, a few minutes more.
fn demo() -> Result<(), String> {
    let missing: Vec<_> = [Prerequisite::JavaScript, Prerequisite::Python]
        .into_iter()
        .filter_map(|p| Some((p, p.missing()?)))
        .collect();
    report_skips(&missing);
    let plugins = build_plugins(&missing)?;
    let mut build = cargo();
    build.args(["build", "--workspace", "--bins", "--tests"]);
    run(build)?;
    let mut command = Command::new(target_dir().join("debug").join("hookline"));
    command
        .args(["serve", "--demo-plugins"])
        .arg(&plugins)
        .current_dir(root());
    if std::env::var_os("HOOKLINE_ADMIN_EMAIL").is_none() {
        println!(
            "root admin: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD} (set HOOKLINE_ADMIN_EMAIL/PASSWORD to choose)"
        );
        command
            .env("HOOKLINE_ADMIN_EMAIL", DEMO_ADMIN_EMAIL)
            .env("HOOKLINE_ADMIN_PASSWORD", DEMO_ADMIN_PASSWORD);
    }
    run(command)
}

/// The PostgreSQL binaries the black-box tests start a server with, if installed.
fn postgres_installed() -> bool {
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .any(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
    });
    on_path
        || std::fs::read_dir("/usr/lib/postgresql")
            .map(|versions| {
                versions
                    .flatten()
                    .any(|v| v.path().join("bin/initdb").is_file())
            })
            .unwrap_or(false)
}

/// The JavaScript and Python SDKs' own unit tests (against fake hosts, no Wasm).
fn sdk_tests(missing: &[(Prerequisite, &'static str)]) -> Result<(), String> {
    let skipped = |p: Prerequisite| missing.iter().any(|(m, _)| *m == p);
    if !skipped(Prerequisite::JavaScript) {
        let mut js = Command::new("npm");
        js.args(["test", "--silent"])
            .current_dir(root().join("sdk/js"));
        run(js)?;
    }
    if !skipped(Prerequisite::Python) {
        run(Command::new(root().join("sdk/python/test")))?;
    }
    Ok(())
}

/// `cargo test --workspace` with the tests that need a missing prerequisite filtered out by
/// name. Both passes select the whole workspace, so they resolve features alike and the second
/// compiles nothing the first did not.
fn workspace_tests(
    missing: &[(Prerequisite, &'static str)],
    extra: &[&str],
    env: &[(&str, &str)],
) -> Result<(), String> {
    let words: Vec<&str> = missing.iter().filter_map(|(p, _)| p.test_word()).collect();
    let mut command = cargo();
    command
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(extra)
        .arg("--");
    for word in &words {
        command.args(["--skip", word]);
    }
    command.env(SKIP_FILTER_ENV, words.join(","));
    for (key, value) in env {
        command.env(key, value);
    }
    run(command)
}

fn test() -> Result<(), String> {
    let missing = missing_prerequisites()?;
    report_skips(&missing);
    let outcome = (|| {
        build_plugins(&missing)?;
        workspace_tests(&missing, &[], &[])?;
        sdk_tests(&missing)?;
        if missing.iter().any(|(p, _)| *p == Prerequisite::PostgreSql) {
            return Ok(());
        }
        println!("xtask: running the black-box tests again on PostgreSQL");
        workspace_tests(
            &missing,
            &["--test", "*"],
            &[("HOOKLINE_TEST_DB", "postgres")],
        )
    })();
    // The closing lines say what did not run, whatever the outcome.
    if missing.is_empty() {
        println!("xtask: every suite ran (nothing skipped)");
    } else {
        report_skips(&missing);
    }
    outcome
}

/// The soak test: needs Redis and PostgreSQL (no skipping: it is run on purpose).
fn soak(seconds: Option<String>) -> Result<(), String> {
    for prerequisite in [Prerequisite::Redis, Prerequisite::PostgreSql] {
        if let Some(program) = prerequisite.missing() {
            return Err(format!(
                "the soak test needs {program}: {}",
                prerequisite.install()
            ));
        }
    }
    let seconds = seconds.unwrap_or_else(|| "180".into());
    if seconds.parse::<u64>().map_or(true, |s| s < 60) {
        return Err(format!("soak: {seconds:?} is not a number of seconds ≥ 60"));
    }
    toolchain::ensure_wasm_target()?;
    let mut build = cargo();
    build.args(["build", "--workspace", "--bins", "--tests"]);
    run(build)?;
    let mut command = cargo();
    command
        .args(["test", "--package", "hookline-tests", "--test", "soak"])
        .args(["--", "--ignored", "--nocapture"])
        .env("SOAK_SECONDS", seconds);
    run(command)
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "plugins" => {
            let missing: Vec<_> = [Prerequisite::JavaScript, Prerequisite::Python]
                .into_iter()
                .filter_map(|p| Some((p, p.missing()?)))
                .collect();
            if backends_required() && !missing.is_empty() {
                Err(format!("{} is needed to build every plugin", missing[0].1))
            } else {
                report_skips(&missing);
                build_plugins(&missing).map(|dir| println!("plugins built in {}", dir.display()))
            }
        }
        "demo" => demo(),
        "test" => test(),
        "soak" => soak(std::env::args().nth(2)),
        _ => Err("usage: cargo xtask <plugins | demo | test | soak [seconds]>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
