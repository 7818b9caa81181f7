//! The benchmark process's resident memory: its total, and where it is by mapping.

/// This process's resident memory now and at its peak, in MiB (Linux only): the server and
/// the generator together, the generator's share being its connections' buffers.
pub fn resident_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some((
        status_mib(&status, "VmRSS:")?,
        status_mib(&status, "VmHWM:")?,
    ))
}

/// Resident memory of the process `pid` now, in MiB (Linux only).
pub fn process_resident_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_mib(&status, "VmRSS:")
}

/// A `/proc/PID/status` field given in kB (`VmRSS:   1234 kB`), in MiB.
fn status_mib(status: &str, name: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// One mapping of `/proc/self/smaps`: its address range, path (empty when anonymous), and
/// resident and private dirty KiB.
struct Mapping {
    from: u64,
    to: u64,
    path: String,
    rss: u64,
    dirty: u64,
}

fn mappings(smaps: &str) -> Vec<Mapping> {
    let mut all: Vec<Mapping> = Vec::new();
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((from, to)) = first.split_once('-').filter(|_| !first.ends_with(':')) {
            // A mapping's header: range perms offset dev inode [path].
            let parse = |hex| u64::from_str_radix(hex, 16).unwrap_or(0);
            all.push(Mapping {
                from: parse(from),
                to: parse(to),
                path: fields.nth(4).unwrap_or("").to_owned(),
                rss: 0,
                dirty: 0,
            });
            continue;
        }
        let (Some(mapping), Some(kib)) = (
            all.last_mut(),
            fields.next().and_then(|v| v.parse::<u64>().ok()),
        ) else {
            continue;
        };
        match first {
            "Rss:" => mapping.rss += kib,
            "Private_Dirty:" => mapping.dirty += kib,
            _ => {}
        }
    }
    all
}

/// Where the resident memory is, from `/proc/self/smaps` (Linux only): file-backed mappings by
/// path (compiled plugins together), anonymous ones by the contiguous region they belong to —
/// a region of 64 GiB or more of address space is wasmtime's instance pools (mprotect splits
/// them into many mappings; the anonymous copies of compiled code sit next to them), one of
/// 1 GiB is a mimalloc arena (the heap), the rest thread stacks — each with how much of it is
/// private and dirty. Printed with `HOOKLINE_LOAD_SMAPS=1`.
pub fn print_resident_breakdown() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let all = mappings(&smaps);
    // name -> (rss KiB, private dirty KiB, mappings)
    let mut by_name: std::collections::HashMap<String, (u64, u64, u64)> = Default::default();
    let mut add = |name: String, rss: u64, dirty: u64, count: u64| {
        let entry = by_name.entry(name).or_default();
        entry.0 += rss;
        entry.1 += dirty;
        entry.2 += count;
    };
    let mut i = 0;
    while i < all.len() {
        let mapping = &all[i];
        if !mapping.path.is_empty() {
            let name = if mapping.path.ends_with(".cwasm") {
                "[compiled plugins, *.cwasm]".to_owned()
            } else {
                mapping.path.clone()
            };
            add(name, mapping.rss, mapping.dirty, 1);
            i += 1;
            continue;
        }
        // A run of adjacent anonymous mappings: one reservation, split by protections.
        let mut end = i + 1;
        while end < all.len() && all[end].path.is_empty() && all[end].from == all[end - 1].to {
            end += 1;
        }
        let region = &all[i..end];
        let size = region[region.len() - 1].to - region[0].from;
        let name = if size >= 64 << 30 {
            "[anonymous, >= 64 GiB reserved: wasmtime pools, compiled code]"
        } else if size >= 256 << 20 {
            "[anonymous, 1 GiB arenas: the allocator's heap]"
        } else {
            "[anonymous: thread stacks, small heaps]"
        };
        add(
            name.to_owned(),
            region.iter().map(|m| m.rss).sum(),
            region.iter().map(|m| m.dirty).sum(),
            region.len() as u64,
        );
        i = end;
    }
    let mut rows: Vec<_> = by_name.into_iter().filter(|(_, v)| v.0 >= 1024).collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.1.0));
    println!("resident memory by mapping (>= 1 MiB):");
    for (name, (rss, dirty, count)) in rows.iter().take(12) {
        println!(
            "  {:>7.1} MiB resident, {:>7.1} MiB private dirty, {count:>6} mappings  {name}",
            *rss as f64 / 1024.0,
            *dirty as f64 / 1024.0
        );
    }
}
