//! The `hookline` binary as an operator runs it: bad settings stop startup with a message
//! naming the setting; a small address space makes the engine fall back to on-demand
//! allocation instead of failing; `/health` answers once it serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_hookline");

fn serve(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOOKLINE_DATA_DIR", data_dir)
        .env("HOOKLINE_PORT", "0")
        .env("HOOKLINE_BCRYPT_COST", "4")
        .env("RUST_LOG", "info");
    command
}

#[test]
fn an_invalid_setting_stops_startup_and_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value, needle) in [
        ("HOOKLINE_PORT", "eighty", "port"),
        ("HOOKLINE_BCRYPT_COST", "99", "bcrypt_cost"),
        ("HOOKLINE_DATABASE_URL", "mysql://x", "database_url"),
        ("HOOKLINE_SECRET_KEY", "short", "secret_key"),
    ] {
        let out = serve(dir.path()).env(name, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert!(stderr.contains(needle), "{name}={value}: {stderr}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing was written"
    );
}

/// How long the server may take to start in these tests.
const STARTUP: Duration = Duration::from_secs(60);

/// Starts the binary under `ulimit -v` (KiB, or `unlimited`) and returns the address it
/// listens on, the allocation mode it logged, the child to stop, and its later log lines.
fn start_limited(
    data_dir: &std::path::Path,
    address_space_kib: &str,
) -> (
    String,
    String,
    std::process::Child,
    std::sync::mpsc::Receiver<String>,
) {
    let command = serve(data_dir);
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!(
            "ulimit -v {address_space_kib} && exec \"$0\" serve"
        ))
        .arg(command.get_program())
        .env_clear()
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = shell.spawn().unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut mode, mut addr) = (String::new(), String::new());
    let deadline = std::time::Instant::now() + STARTUP;
    while addr.is_empty() {
        let remaining = deadline.saturating_duration_since(std::time::Instant::now());
        let Ok(line) = rx.recv_timeout(remaining) else {
            break;
        };
        if line.contains("hook engine ready") {
            mode = line.split("mode=").nth(1).unwrap_or("").trim().to_owned();
        }
        if line.contains("hookline listening") {
            addr = line.split("addr=").nth(1).unwrap_or("").trim().to_owned();
        }
    }
    (addr, mode, child, rx)
}

#[test]
fn a_small_address_space_falls_back_to_on_demand_allocation() {
    let dir = tempfile::tempdir().unwrap();
    // 16 GiB: plenty for the process, far too little for the default pool's reservations.
    let (addr, mode, mut child, _) = start_limited(dir.path(), &(16 * 1024 * 1024).to_string());
    let health = std::net::TcpStream::connect(&addr).and_then(|mut stream| {
        use std::io::{Read, Write};
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    });
    child.kill().ok();
    child.wait().ok();
    assert_eq!(mode, "OnDemand");
    let health = health.expect("the server answers");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _, mut child, log) = start_limited(dir.path(), "unlimited");
    assert!(!addr.is_empty(), "the server started");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    // The reader thread ends at the end of the output, which the exit closed.
    let lines: Vec<String> = log.iter().collect();
    assert!(
        lines.iter().any(|l| l.contains("SIGTERM")) && lines.iter().any(|l| l.contains("stopped")),
        "{lines:?}"
    );
}
