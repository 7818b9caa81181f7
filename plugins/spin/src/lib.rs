//! Handler that never returns, for checking that the server interrupts runaway plugins.

use std::hint::black_box;

use hookline_sdk::{Context, HookError, Value};

fn handle(_ctx: &Context) -> Result<Value, HookError> {
    let mut turns: u64 = 0;
    loop {
        // `black_box` keeps the optimiser from proving the loop pointless.
        turns = black_box(turns.wrapping_add(1));
    }
}

hookline_sdk::export! { handler: handle }
