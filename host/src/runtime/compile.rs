//! Compiling a component in a short-lived child process of the server's own binary.
//!
//! Cranelift compiling an interpreter (componentize-js, componentize-py) allocates hundreds of
//! MiB on many threads; after the compile the allocator keeps most of it, and the threads keep
//! the stack pages they touched: the load benchmark measured 517 MiB resident before the first
//! request after the JavaScript and Python examples were uploaded, against 119 MiB for a server
//! that loaded the same plugins from its artifact cache (`host/benches/README.md`). A child
//! that compiles, writes the artifact and exits gives all of it back to the system; the server
//! then maps the artifact from disk like any cached one.
//!
//! The child builds its engine from the same [`EngineSpec`] as the server's, so the artifact
//! carries the same compatibility fingerprint; wasmtime checks it again when the server
//! deserializes. This module never decides what to do when the child fails: the caller
//! compiles in process instead, which also yields the precise error for an invalid binary.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use wasmtime::Engine;

use super::engine::{AllocationMode, GuestClass, RuntimeLimits, engine_config};

/// The name of the binary's hidden subcommand that runs [`compile_child_main`].
pub const COMPILE_SUBCOMMAND: &str = "compile-component";

/// Everything an engine's configuration is built from, passed to the child as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineSpec {
    pub class: GuestClass,
    pub mode: AllocationMode,
    pub memory_bytes: usize,
    pub max_instances: u32,
    pub large_warm_slots: u32,
}

impl EngineSpec {
    pub(crate) fn new(limits: &RuntimeLimits, class: GuestClass, mode: AllocationMode) -> Self {
        Self {
            class,
            mode,
            memory_bytes: limits.memory_bytes,
            max_instances: limits.max_instances,
            large_warm_slots: limits.large_warm_slots,
        }
    }

    fn engine(&self) -> anyhow::Result<Engine> {
        let limits = RuntimeLimits {
            memory_bytes: self.memory_bytes,
            max_instances: self.max_instances,
            large_warm_slots: self.large_warm_slots,
            hook_timeout: std::time::Duration::ZERO,
            max_guest_output_bytes: 0,
            artifact_dir: PathBuf::new(),
            compiler: None,
        };
        Engine::new(&engine_config(&limits, self.class, self.mode)).map_err(super::to_anyhow)
    }
}

/// Runs `exe compile-component --engine SPEC --out PATH` with `binary` on its standard input
/// and waits for it. On success the compiled artifact is at `out`.
pub(crate) fn compile_in_child(
    exe: &Path,
    spec: &EngineSpec,
    binary: &[u8],
    out: &Path,
) -> anyhow::Result<()> {
    let mut child = Command::new(exe)
        .arg(COMPILE_SUBCOMMAND)
        .arg("--engine")
        .arg(serde_json::to_string(spec)?)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("starting {}: {e}", exe.display()))?;
    // Fed from this thread while the child reads; the child reads all of it before it writes
    // anything to stderr, so neither side can wait on the other.
    let fed = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(binary);
    let output = child.wait_with_output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        anyhow::bail!(
            "the compiler process ended with {}: {}",
            output.status,
            stderr.trim()
        );
    }
    fed?;
    Ok(())
}

/// The child's side: reads a component from standard input, compiles it for the engine `spec`
/// describes and writes the artifact to `out` (through a temporary name, renamed when whole).
pub fn compile_child_main(spec: &str, out: &Path) -> anyhow::Result<()> {
    let spec: EngineSpec = serde_json::from_str(spec)?;
    let mut binary = Vec::new();
    std::io::stdin().read_to_end(&mut binary)?;
    let engine = spec.engine()?;
    let artifact = engine
        .precompile_component(&binary)
        .map_err(super::to_anyhow)?;
    let tmp = out.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, artifact)?;
    std::fs::rename(&tmp, out)?;
    Ok(())
}
