//! Guest stdout/stderr: kept in memory up to a byte cap and handed to the request's logs.
//! Output past the cap is dropped (and counted) so that a chatty guest never traps on `print!`.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// A bounded in-memory sink for one guest output stream.
#[derive(Clone)]
pub struct CapturedOutput {
    capacity: usize,
    buffer: Arc<Mutex<BytesMut>>,
    dropped: Arc<AtomicUsize>,
}

impl CapturedOutput {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            buffer: Arc::new(Mutex::new(BytesMut::new())),
            dropped: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn append(&self, bytes: &[u8]) {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let room = self.capacity.saturating_sub(buffer.len());
        let kept = bytes.len().min(room);
        buffer.extend_from_slice(&bytes[..kept]);
        self.dropped
            .fetch_add(bytes.len() - kept, Ordering::Relaxed);
    }

    /// Takes the captured text, one entry per non-empty line, and the count of bytes dropped
    /// past the cap, leaving the sink empty for the next call.
    pub fn take(&self) -> (Vec<String>, usize) {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let lines = String::from_utf8_lossy(&buffer)
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        buffer.clear();
        (lines, self.dropped.swap(0, Ordering::Relaxed))
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always ready: what does not fit is dropped, never refused.
        Ok(64 * 1024)
    }
}

impl AsyncWrite for CapturedOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
