//! A throwaway PostgreSQL server for the tests: `initdb` into a temporary directory, `postgres`
//! on a free loopback port, one fresh database per test server. A watchdog process stops the
//! server and removes its directory when the test process exits, however it exits.
//!
//! Missing binaries fail loudly: the suite-level runner (`cargo xtask test`) decides whether
//! the PostgreSQL pass is skipped (binaries absent, not in CI) before it sets
//! `HOOKLINE_TEST_DB=postgres`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

/// How long a fresh server may take to accept connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

struct Cluster {
    port: u16,
    /// Held for the life of the test process; the watchdog stops the server afterwards.
    _server: std::process::Child,
    _watchdog: std::process::Child,
}

/// The directory holding `initdb` and `postgres`: `PATH` first, then Debian's layout.
pub fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
    });
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// PostgreSQL refuses to run as root: as root, run it as the `postgres` user.
fn command(bin: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=postgres", "--regid=postgres", "--init-groups"])
            .arg(bin);
        cmd
    } else {
        Command::new(bin)
    }
}

/// A fresh data directory (initialised, owned by the user the server runs as) in a new
/// temporary directory, which also holds the server's socket; the directory's path.
fn init_data_dir(bin: &Path, as_postgres: bool) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix("hookline-pg-")
        .tempdir()
        .expect("temporary directory")
        .keep();
    if as_postgres {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .expect("chown");
        assert!(status.success(), "chown of {} failed", dir.display());
    }
    let out = command(&bin.join("initdb"), as_postgres)
        .args(["-D"])
        .arg(dir.join("data"))
        .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        .output()
        .expect("running initdb");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// Starts `postgres` on `dir`'s data directory and loopback `port`, and waits for the port.
fn spawn_server(bin: &Path, as_postgres: bool, dir: &Path, port: u16) -> std::process::Child {
    let server = command(&bin.join("postgres"), as_postgres)
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-p", &port.to_string(), "-k"])
        .arg(dir)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=300",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting postgres");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < STARTUP_TIMEOUT,
            "postgres did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn start_cluster() -> Cluster {
    let bin = bin_dir().expect("PostgreSQL binaries (initdb, postgres) not found");
    let as_postgres = is_root();
    let dir = init_data_dir(&bin, as_postgres);
    let port = free_port();
    let server = spawn_server(&bin, as_postgres, &dir, port);
    // Stop the server and remove its files once this test process is gone.
    let watchdog = format!(
        "while kill -0 {test} 2>/dev/null; do sleep 0.5; done; kill -INT {pg} 2>/dev/null; \
         for i in $(seq 1 40); do kill -0 {pg} 2>/dev/null || break; sleep 0.25; done; rm -rf '{dir}'",
        test = std::process::id(),
        pg = server.id(),
        dir = dir.display()
    );
    let watchdog = Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the watchdog");
    Cluster {
        port,
        _server: server,
        _watchdog: watchdog,
    }
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(start_cluster)
}

/// A new, empty database on the test cluster; its URL.
pub async fn fresh_database() -> String {
    let port = cluster().port;
    let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let started = Instant::now();
    loop {
        // The port accepts connections slightly before the server accepts logins.
        match Database::connect(&admin_url).await {
            Ok(db) => {
                db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("CREATE DATABASE");
                db.close().await.ok();
                break;
            }
            Err(e) => {
                assert!(
                    started.elapsed() < STARTUP_TIMEOUT,
                    "postgres refused connections: {e}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    format!("postgres://postgres@127.0.0.1:{port}/{name}")
}

/// A PostgreSQL server of one test's own, which the test can stop and start again on the same
/// port (the soak test's outages); stopped and removed when dropped. `None` (with the reason
/// printed) when the binaries are missing.
pub struct PostgresServer {
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
    dir: PathBuf,
    child: Option<std::process::Child>,
}

impl PostgresServer {
    pub fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            eprintln!("PostgreSQL binaries (initdb, postgres) not found");
            return None;
        };
        let as_postgres = is_root();
        let dir = init_data_dir(&bin, as_postgres);
        let mut server = Self {
            port: free_port(),
            bin,
            as_postgres,
            dir,
            child: None,
        };
        server.resume();
        Some(server)
    }

    /// The URL of database `postgres` (created by initdb).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) and waits until its port accepts connections.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "postgres is already running");
        self.child = Some(spawn_server(
            &self.bin,
            self.as_postgres,
            &self.dir,
            self.port,
        ));
    }

    /// Stops the server the way `pg_ctl stop -m fast` does: in-flight transactions roll back
    /// and every connection is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
