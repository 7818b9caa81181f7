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
//! The child builds its engine from the same [`super::EngineSpec`] as the server's, so the artifact
//! carries the same compatibility fingerprint; wasmtime checks it again when the server
//! deserializes. This module never decides what to do when the child fails: the caller
//! compiles in process instead, which also yields the precise error for an invalid binary.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use wasmtime::Engine;

use super::artifacts::write_artifact;
use super::engine::{EngineSpec, engine_config};

/// The name of the binary's hidden subcommand that runs [`compile_child_main`].
pub const COMPILE_SUBCOMMAND: &str = "compile-component";

/// Runs `exe compile-component --engine SPEC --out PATH` (the spec as JSON) with `binary` on its standard input
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
    let engine = Engine::new(&engine_config(&spec)).map_err(super::to_anyhow)?;
    let artifact = engine
        .precompile_component(&binary)
        .map_err(super::to_anyhow)?;
    write_artifact(out, &artifact)
}
