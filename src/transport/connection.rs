//! One connection to the API: its stream and the buffer its answers are read into, both
//! kept between requests. The task sending a request writes it and reads the answer
//! itself, so a request costs no task switch of its own.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::answer::{self, Received};
use crate::client::PreparedRequest;
use crate::error::Result;

/// Plain TCP (to loopback hosts) or TLS over TCP.
pub(crate) enum Stream {
    Plain(TcpStream),
    /// Boxed: a TLS session is far larger than a socket.
    Tls(Box<TlsStream<TcpStream>>),
}

/// Why a request could not be written.
pub(crate) enum SendError {
    /// Nothing of the request left this process.
    Unsent(io::Error),
    /// Part of it, or all, may have reached the server.
    Partial(io::Error),
}

pub(crate) struct Connection {
    stream: Stream,
    /// Empty between answers; its allocation is what is kept.
    buffer: Vec<u8>,
}

impl Connection {
    pub(crate) fn new(stream: Stream) -> Self {
        Connection {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Writes `request` (one request's bytes) and flushes it.
    pub(crate) async fn send(&mut self, request: &[u8]) -> std::result::Result<(), SendError> {
        let mut written = 0;
        while written < request.len() {
            // Only a first write that fails leaves the request unsent. Over TLS a failed
            // write may have put whole records of it on the wire, but never the whole
            // request, so the server has nothing it could act on.
            match self.stream.write(&request[written..]).await {
                Ok(0) if written == 0 => {
                    return Err(SendError::Unsent(io::ErrorKind::WriteZero.into()));
                }
                Ok(0) => return Err(SendError::Partial(io::ErrorKind::WriteZero.into())),
                Ok(count) => written += count,
                Err(e) if written == 0 => return Err(SendError::Unsent(e)),
                Err(e) => return Err(SendError::Partial(e)),
            }
        }
        // TLS keeps what it could not write yet: only a flush puts it on the wire.
        self.stream.flush().await.map_err(SendError::Partial)
    }

    /// Reads the answer to `request`.
    pub(crate) async fn receive(&mut self, request: &PreparedRequest) -> Result<Received> {
        answer::read(&mut self.stream, &mut self.buffer, request).await
    }

    /// Whether an idle connection is still open: the server has neither closed it nor
    /// sent anything (a TLS close_notify, say) since the last answer. Asks the socket
    /// itself rather than tokio's readiness, which learns of a close only when the
    /// runtime next polls for events, too late for a request sent right away.
    pub(crate) fn is_open(&self) -> bool {
        let socket = match &self.stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref().0,
        };
        let mut byte = [MaybeUninit::<u8>::uninit()];
        match socket2::SockRef::from(socket).peek(&mut byte) {
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
            // The end of the stream, or bytes no request asked for.
            Ok(_) => false,
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}
