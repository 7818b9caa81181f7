//! Project tasks, run as `cargo xtask <task>` (std only, so it builds in seconds):
//!
//! - `plugins`: build the example plugins of every language (see `plugins/build-all`).
//! - `demo`: build the plugins and run the server on the embedded default with demo routes.
//! - `test`: the whole test suite — every crate on SQLite, the JavaScript and Python SDKs' unit
//!   tests, then the black-box tests again on a PostgreSQL server they start themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const DEMO_ADMIN_EMAIL: &str = "admin@hookline.local";
const DEMO_ADMIN_PASSWORD: &str = "hookline-demo-password";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository root")
        .to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
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

/// Builds the Rust examples, then the JavaScript and Python ones into `plugins/dist` when
/// their toolchains' prerequisites (node and npm, python3) are installed. Without them those
/// examples (and their tests) are skipped, except in CI where that is an error.
fn build_plugins() -> Result<PathBuf, String> {
    let target = plugin_target_dir();
    let mut command = cargo();
    command
        .args(["build", "--release"])
        .current_dir(root().join("plugins"))
        .env("CARGO_TARGET_DIR", &target);
    run(command)?;
    for (language, needs, script) in [
        ("JavaScript", &["node", "npm"][..], "plugins/js/build"),
        ("Python", &["python3"][..], "plugins/python/build"),
    ] {
        if let Some(missing) = needs.iter().find(|p| !on_path(p)) {
            if backends_required() {
                return Err(format!(
                    "{missing} is needed to build the {language} plugins"
                ));
            }
            println!("skipping the {language} plugins: {missing} not found");
            continue;
        }
        run(Command::new(root().join(script)))?;
    }
    Ok(target.join("wasm32-wasip2").join("release"))
}

fn demo() -> Result<(), String> {
    let plugins = build_plugins()?;
    let mut command = cargo();
    command
        .args([
            "run",
            "--package",
            "hookline",
            "--",
            "serve",
            "--demo-plugins",
        ])
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
fn sdk_tests() -> Result<(), String> {
    if on_path("npm") {
        let mut js = Command::new("npm");
        js.args(["test", "--silent"])
            .current_dir(root().join("sdk/js"));
        run(js)?;
    } else if backends_required() {
        return Err("npm is needed for the JavaScript SDK tests".into());
    }
    if on_path("python3") {
        run(Command::new(root().join("sdk/python/test")))?;
    } else if backends_required() {
        return Err("python3 is needed for the Python SDK tests".into());
    }
    Ok(())
}

fn test() -> Result<(), String> {
    build_plugins()?;
    let mut sqlite = cargo();
    sqlite.args(["test", "--workspace"]).current_dir(root());
    run(sqlite)?;
    sdk_tests()?;
    if !postgres_installed() {
        if backends_required() {
            return Err(
                "HOOKLINE_REQUIRE_BACKENDS=1 but PostgreSQL (initdb, postgres) is not installed"
                    .into(),
            );
        }
        println!(
            "skipping the PostgreSQL pass: initdb/postgres not found (apt-get install postgresql)"
        );
        return Ok(());
    }
    println!("running the black-box tests again on PostgreSQL");
    let mut postgres = cargo();
    postgres
        .args(["test", "--package", "hookline-tests"])
        .env("HOOKLINE_TEST_DB", "postgres")
        .current_dir(root());
    run(postgres)
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "plugins" => build_plugins().map(|dir| println!("plugins built in {}", dir.display())),
        "demo" => demo(),
        "test" => test(),
        _ => Err("usage: cargo xtask <plugins | demo | test>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
