//! Handler that allocates until memory runs out, for checking the server's memory limit.
//!
//! The allocation failure aborts the instance (a trap), which the server must answer as an
//! error without harming other requests.

use std::hint::black_box;

use hookline_sdk::{Context, HookError, Value};

/// Allocation step: big enough to reach any limit quickly, small enough to land near it.
const CHUNK_BYTES: usize = 1024 * 1024;

fn handle(_ctx: &Context) -> Result<Value, HookError> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    loop {
        // Non-zero bytes force real writes, so the memory is committed rather than left as
        // untouched (possibly lazily zeroed) pages.
        chunks.push(vec![0xA5; CHUNK_BYTES]);
        black_box(&chunks);
    }
}

hookline_sdk::export! { handler: handle }
