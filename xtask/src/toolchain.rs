//! The plugins build for `wasm32-wasip2`. `rust-toolchain.toml` lists that target, but rustup
//! adds a toolchain file's targets only when it installs the toolchain, not to one that is
//! already installed (and a machine may have automatic installs switched off). So every task
//! that builds plugins checks for the target first and installs it when it is missing (CI runs
//! `rustup toolchain install` first, which installs the pinned toolchain with its targets).

use std::path::PathBuf;
use std::process::Command;

use crate::root;

pub const WASM_TARGET: &str = "wasm32-wasip2";

/// The active toolchain's sysroot, as the `rustc` cargo uses reports it.
fn sysroot() -> Result<PathBuf, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("running {rustc} --print sysroot: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{rustc} --print sysroot failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    ))
}

fn has_wasm_target() -> Result<bool, String> {
    Ok(sysroot()?
        .join("lib")
        .join("rustlib")
        .join(WASM_TARGET)
        .join("lib")
        .is_dir())
}

/// Makes sure the active toolchain can build for `wasm32-wasip2`, adding the target with
/// rustup when it is missing. Under `cargo`, rustup names the toolchain in use in
/// `RUSTUP_TOOLCHAIN` (the pinned one, unless `cargo +other` chose another), which
/// `rustup target add` inherits: the target goes to the toolchain that builds the plugins.
pub fn ensure_wasm_target() -> Result<(), String> {
    if has_wasm_target()? {
        return Ok(());
    }
    if !crate::on_path("rustup") {
        return Err(format!(
            "the {WASM_TARGET} target is not installed and rustup is not on PATH: install rustup \
             and run `rustup target add {WASM_TARGET}`, or add the target to your Rust toolchain"
        ));
    }
    println!("xtask: the {WASM_TARGET} target is missing: installing it (rustup target add)");
    crate::run({
        let mut command = Command::new("rustup");
        command
            .args(["target", "add", WASM_TARGET])
            .current_dir(root());
        command
    })?;
    if has_wasm_target()? {
        Ok(())
    } else {
        Err(format!(
            "rustup did not install the {WASM_TARGET} target; run `rustup target add {WASM_TARGET}`"
        ))
    }
}
