//! `hookline:plugin/log`: lines go to the request's `logs` and to the server log.

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
