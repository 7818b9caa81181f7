//! `hookline:plugin/log`: lines go to the request's `logs` and to the server log — the same
//! lines: past the request's `max_log_entries` a line goes to neither, and is only counted (the
//! invocation reports the count once, see [`crate::runtime`]), so a plugin calling `log` in a
//! loop floods neither the response nor the server log.

use crate::runtime::HostState;
use crate::runtime::bindings::log::{self, Level};

/// Longest single log line kept; longer lines are cut so one call cannot flood the response.
const MAX_LOG_LINE_BYTES: usize = 4096;

impl log::Host for HostState {
    fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let mut line = message;
        if line.len() > MAX_LOG_LINE_BYTES {
            let mut cut = MAX_LOG_LINE_BYTES;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
        }
        // Checked before the server log too, so a flood reaches neither; `log` counts it.
        if self.request.logs_full() {
            self.request.log(line);
            return Ok(());
        }
        let request_id = &self.request.request_id;
        let plugin = &*self.plugin;
        match level {
            Level::Debug => tracing::debug!(request_id, plugin, "{line}"),
            Level::Info => tracing::info!(request_id, plugin, "{line}"),
            Level::Warn => tracing::warn!(request_id, plugin, "{line}"),
            Level::Error => tracing::error!(request_id, plugin, "{line}"),
        }
        self.request.log(line);
        Ok(())
    }
}
