//! The process's allocator, mimalloc, and how it gives memory back.
//!
//! mimalloc returns freed pages to the system only after a delay (1 s in v3), and a thread
//! does that work only when it allocates again. Threads that went idle after a burst — the
//! compiler's after compiling a plugin, workers after a load peak — kept their freed pages
//! resident: 927 MiB before any request in the load benchmark, against 517 with these two
//! measures (`host/benches/README.md`). So the server purges at once unless
//! `MIMALLOC_PURGE_DELAY` says otherwise, and collects the compiler threads' heaps after each
//! compilation. The load benchmark measured no throughput cost of purging at once.

/// The allocator of every binary built on this crate (the server, its tests and benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mimalloc.h` (the sys crate names only some
/// options; we build v3, the default, without the `v2` feature).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes freed memory go back to the system at once, unless the operator chose a delay with
/// `MIMALLOC_PURGE_DELAY` (milliseconds; mimalloc reads it itself).
#[allow(
    unsafe_code,
    reason = "mi_option_set takes plain integers and has no preconditions"
)]
pub fn purge_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: setting an option is thread-safe and only changes later purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

/// glibc's mmap threshold, fixed: blocks from 128 KiB up are mapped on their own and unmapped
/// when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const C_MMAP_THRESHOLD_BYTES: libc::c_int = 128 * 1024;

/// Keeps the C allocator from holding large freed blocks: fixes glibc's mmap threshold unless
/// the operator set one (`MALLOC_MMAP_THRESHOLD_` or `GLIBC_TUNABLES`). Returns whether it did.
///
/// The C code in the process (SQLite) allocates with glibc's malloc, not mimalloc. glibc maps
/// a large block on its own, but after freeing one it raises its threshold to that block's
/// size (up to 32 MiB), so the next large blocks come from its heaps, which it rarely gives
/// back. SQLite copies a plugin binary (12-18 MiB for an interpreter) when it writes or reads
/// one: each upload of a JavaScript or Python plugin left ~45 MiB resident in the server
/// (measured with `host/benches/server-rss.sh`: 182 MiB after five uploads, 87 with this).
#[allow(
    unsafe_code,
    reason = "mallopt takes plain integers and has no preconditions"
)]
pub fn return_large_c_blocks_at_once() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if operator_set_mmap_threshold() {
            return false;
        }
        // SAFETY: mallopt only changes later allocations' strategy; it is thread-safe.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, C_MMAP_THRESHOLD_BYTES) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

/// Whether the environment sets glibc's mmap threshold, which glibc reads itself at start.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn operator_set_mmap_threshold() -> bool {
    std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some()
        || std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("mmap_threshold"))
}

/// Gives back what the compiler's threads (wasmtime compiles on rayon's pool) and the calling
/// one freed but still hold.
#[allow(unsafe_code, reason = "mi_collect has no preconditions")]
pub fn collect_after_compiling() {
    // SAFETY: collects the calling thread's own heap; no pointers are involved.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    // SAFETY: as above.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

#[cfg(test)]
mod tests {
    #[test]
    #[allow(unsafe_code, reason = "reading an option has no preconditions")]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reading an option is thread-safe.
        let before = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        // v3's default purge delay is 1000 ms, a value no neighbouring option has; 0 if a
        // server in this process already set it.
        assert!(before == 1000 || before == 0, "option 15 is {before}");
        super::purge_freed_memory_at_once();
        // SAFETY: as above.
        let after = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, 0);
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_fixed_mmap_threshold() {
        assert_eq!(
            super::return_large_c_blocks_at_once(),
            !super::operator_set_mmap_threshold()
        );
    }
}
