//! Compiled components on local disk, keyed by the binary's sha256 and the engine's
//! compatibility fingerprint, so a restart deserializes instead of recompiling. Only this
//! process writes the directory; files are written to a temporary name and renamed.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use wasmtime::Engine;
use wasmtime::component::Component;

use super::compile::compile_in_child;
use super::{GuestClass, HookRuntime};

/// A stable fingerprint of everything that makes a compiled artifact loadable by this engine.
pub fn engine_fingerprint(engine: &Engine) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

fn artifact_path(dir: &Path, sha256: &str, fingerprint: &str) -> PathBuf {
    dir.join(format!("{sha256}-{fingerprint}.cwasm"))
}

impl HookRuntime {
    /// Compiles `binary` (whose digest is `sha256`) for the engine of `class`, or loads its
    /// cached artifact.
    pub(crate) fn load_component(
        &self,
        class: GuestClass,
        sha256: &str,
        binary: &[u8],
    ) -> anyhow::Result<Component> {
        let target = self.class_engine(class);
        let path = artifact_path(&self.limits.artifact_dir, sha256, &target.fingerprint);
        if path.exists() {
            match deserialize(&target.engine, &path) {
                Ok(component) => {
                    self.stats.artifacts_loaded.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(sha256, path = %path.display(), "loaded compiled artifact from cache");
                    return Ok(component);
                }
                Err(e) => {
                    tracing::warn!(sha256, error = %e, "cached artifact unusable; recompiling")
                }
            }
        }
        let started = std::time::Instant::now();
        let (component, in_child) = self.compile(class, sha256, binary, &path)?;
        self.stats.compiled.fetch_add(1, Ordering::Relaxed);
        if in_child {
            self.stats.compiled_in_child.fetch_add(1, Ordering::Relaxed);
        }
        tracing::info!(
            sha256,
            in_child,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "compiled component"
        );
        Ok(component)
    }

    /// Compiles `binary` and caches the artifact at `path`: in a child process when the runtime
    /// has a compiler binary (the child writes the artifact, this process maps it), else, or
    /// when the child fails, in this process. Says whether the child did it.
    fn compile(
        &self,
        class: GuestClass,
        sha256: &str,
        binary: &[u8],
        path: &Path,
    ) -> anyhow::Result<(Component, bool)> {
        let target = self.class_engine(class);
        if let Some(exe) = &self.limits.compiler {
            match compile_in_child(exe, &target.spec, binary, path)
                .and_then(|()| deserialize(&target.engine, path))
            {
                Ok(component) => return Ok((component, true)),
                // An invalid binary fails here too: compiling in process names the reason.
                Err(e) => tracing::warn!(
                    sha256,
                    error = %e,
                    "compiling in a child process failed; compiling in process"
                ),
            }
        }
        let component =
            Component::new(&target.engine, binary).map_err(crate::runtime::to_anyhow)?;
        crate::alloc::collect_after_compiling();
        if let Err(e) = component
            .serialize()
            .map_err(crate::runtime::to_anyhow)
            .and_then(|bytes| write_artifact(path, &bytes))
        {
            tracing::warn!(sha256, error = %e, "could not cache compiled artifact");
        }
        Ok((component, false))
    }
}

/// Writes an artifact to a temporary name beside `path` and renames it, so a reader (another
/// server sharing the directory, a restart) never maps a partly written file.
pub(super) fn write_artifact(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[allow(
    unsafe_code,
    reason = "deserializing runs native code produced by Cranelift; the artifact directory is \
              written only by this server, from components it compiled itself, and the file \
              name binds the engine fingerprint"
)]
fn deserialize(engine: &Engine, path: &Path) -> anyhow::Result<Component> {
    // SAFETY: see the reason above; wasmtime additionally checks the artifact's header
    // against this engine's configuration and refuses a mismatch.
    unsafe { Component::deserialize_file(engine, path) }.map_err(crate::runtime::to_anyhow)
}
