//! Reading one HTTP/1.1 answer off a connection: the head (interim 1xx answers skipped),
//! then the body as the head frames it, each piece handed on as it arrives so that the
//! answer limit applies while reading, not after.

use std::ops::Range;

use tokio::io::{AsyncRead, AsyncReadExt as _};

use super::failed;
use crate::client::{Answer, AnswerReader, PreparedRequest, quote};
use crate::error::Result;

/// The longest head (status line and headers) read before giving up on an answer.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most headers an answer may carry.
const MAX_HEADERS: usize = 100;
/// The longest chunk-size line, extensions included.
const MAX_CHUNK_LINE_BYTES: usize = 4 * 1024;
/// The most trailer bytes after the last chunk.
const MAX_TRAILER_BYTES: usize = 64 * 1024;
/// Room made in the buffer before each read.
const READ_BYTES: usize = 16 * 1024;

/// An answer read to its end, and whether its connection can carry another request.
pub(super) struct Received {
    pub(super) answer: Answer,
    pub(super) reusable: bool,
}

/// How the body's end is known.
#[derive(Debug, PartialEq, Eq)]
enum Body {
    Empty,
    Length(u64),
    Chunked,
    /// Neither length nor chunks: the body ends where the connection does.
    UntilClose,
}

/// Reads the answer to `request` from `io`, using `buffer` (empty on entry, empty again
/// on return) for what arrives.
pub(super) async fn read<R>(
    io: &mut R,
    buffer: &mut Vec<u8>,
    request: &PreparedRequest,
) -> Result<Received>
where
    R: AsyncRead + Unpin,
{
    let mut input = Input {
        io,
        buffer,
        position: 0,
        received: false,
    };
    let (mut reader, body, keep_alive) = read_head(&mut input, request).await?;
    match body {
        Body::Empty => {}
        Body::Length(length) => input.copy(length, &mut reader).await?,
        Body::Chunked => read_chunks(&mut input, &mut reader).await?,
        Body::UntilClose => loop {
            input.copy_available(u64::MAX, &mut reader)?;
            if !input.fill().await? {
                break;
            }
        },
    }
    // Bytes after the answer were not asked for: the connection's state is unknown.
    let reusable = keep_alive && input.available().is_empty();
    input.buffer.clear();
    Ok(Received {
        answer: reader.finish(),
        reusable,
    })
}

/// The final answer's head: a reader for its body, how the body is framed, and whether
/// the connection stays open after it.
async fn read_head<'r, R>(
    input: &mut Input<'_, R>,
    request: &'r PreparedRequest,
) -> Result<(AnswerReader<'r>, Body, bool)>
where
    R: AsyncRead + Unpin,
{
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Response::new(&mut headers);
        let length = match head.parse(input.available()) {
            Ok(httparse::Status::Complete(length)) => length,
            Ok(httparse::Status::Partial) if input.available().len() < MAX_HEAD_BYTES => {
                input.more().await?;
                continue;
            }
            Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
                return Err(failed(format!(
                    "the answer's headers are too large (more than {MAX_HEAD_BYTES} bytes or \
                     {MAX_HEADERS} headers)"
                )));
            }
            Err(e) => return Err(failed(format!("the answer is not HTTP/1.1 ({e})"))),
        };
        let status = head.code.unwrap_or(0);
        match status {
            101 => {
                return Err(failed(
                    "the server switched protocols (HTTP 101) instead of answering",
                ));
            }
            // Interim answers (100 Continue, 103 Early Hints) come before the real one.
            100..=199 => {
                input.position += length;
                continue;
            }
            _ => {}
        }
        let (body, framing_reusable) = framing(status, head.headers)?;
        let keep_alive = framing_reusable
            && head.version == Some(1)
            && !values(head.headers, "connection").any(|v| tokens(v).any(|t| is(t, "close")));
        let content_length = match body {
            Body::Length(length) => Some(length),
            _ => None,
        };
        let reader = AnswerReader::new(request, status, head.headers, content_length)?;
        input.position += length;
        return Ok((reader, body, keep_alive));
    }
}

/// How the body of an answer with `status` and `headers` is framed, and whether that
/// framing leaves the connection usable (a length beside chunks does not).
fn framing(status: u16, headers: &[httparse::Header<'_>]) -> Result<(Body, bool)> {
    if status == 204 || status == 304 {
        return Ok((Body::Empty, true));
    }
    let mut lengths = values(headers, "content-length")
        .flat_map(tokens)
        .peekable();
    let has_length = lengths.peek().is_some();
    let mut chunked = false;
    for coding in values(headers, "transfer-encoding").flat_map(tokens) {
        // Other codings would need decoding this client does not do; chunked twice is
        // malformed.
        if !is(coding, "chunked") || chunked {
            return Err(failed(format!(
                "the answer's Transfer-Encoding is not supported: {}",
                quote(coding)
            )));
        }
        chunked = true;
    }
    if chunked {
        // Chunks decide; a length beside them may be an attempt to desynchronise the
        // connection, which is not used again.
        return Ok((Body::Chunked, !has_length));
    }
    let mut length = None;
    for value in lengths {
        let parsed = std::str::from_utf8(value)
            .ok()
            .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u64>().ok());
        match (parsed, length) {
            (None, _) => {
                return Err(failed(format!(
                    "the answer's Content-Length is not valid: {}",
                    quote(value)
                )));
            }
            (Some(new), Some(old)) if new != old => {
                return Err(failed(format!(
                    "the answer has conflicting Content-Length values ({old} and {new})"
                )));
            }
            (Some(new), _) => length = Some(new),
        }
    }
    Ok(match length {
        Some(length) => (Body::Length(length), true),
        None => (Body::UntilClose, false),
    })
}

/// Reads a chunked body and its trailers (which are skipped).
async fn read_chunks<R>(input: &mut Input<'_, R>, reader: &mut AnswerReader<'_>) -> Result<()>
where
    R: AsyncRead + Unpin,
{
    loop {
        let line = input.line(MAX_CHUNK_LINE_BYTES).await?;
        let size = chunk_size(&input.buffer[line])?;
        if size == 0 {
            break;
        }
        input.copy(size, reader).await?;
        // The CRLF that ends the chunk's data, with nothing before it.
        input.line(0).await?;
    }
    let mut trailers = 0;
    loop {
        let line = input
            .line(MAX_TRAILER_BYTES.saturating_sub(trailers))
            .await?;
        if line.is_empty() {
            return Ok(());
        }
        trailers += line.len() + 2;
    }
}

/// The size on a chunk-size line: hex digits, then optional extensions after `;`.
fn chunk_size(line: &[u8]) -> Result<u64> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let rest = &line[digits..];
    let rest_start = rest
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(rest.len());
    let extensions_ok = match rest.get(rest_start) {
        None => true,
        Some(b';') => rest.iter().all(|&b| b == b'\t' || !b.is_ascii_control()),
        Some(_) => false,
    };
    let size = std::str::from_utf8(&line[..digits])
        .ok()
        .and_then(|hex| u64::from_str_radix(hex, 16).ok());
    match size {
        Some(size) if extensions_ok => Ok(size),
        _ => Err(failed(format!(
            "the answer's chunk size is not valid: {}",
            quote(line)
        ))),
    }
}

/// The values of every header called `name`.
fn values<'h>(
    headers: &'h [httparse::Header<'_>],
    name: &'static str,
) -> impl Iterator<Item = &'h [u8]> {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value)
}

/// The comma-separated items of a header value, trimmed, empty ones left out.
fn tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(|item| item.trim_ascii())
        .filter(|item| !item.is_empty())
}

fn is(token: &[u8], word: &str) -> bool {
    token.eq_ignore_ascii_case(word.as_bytes())
}

/// What has arrived on a connection and not yet been read: `buffer[position..]`.
struct Input<'a, R> {
    io: &'a mut R,
    buffer: &'a mut Vec<u8>,
    position: usize,
    /// Whether any byte of the answer arrived, for a clearer error when none did.
    received: bool,
}

impl<R: AsyncRead + Unpin> Input<'_, R> {
    fn available(&self) -> &[u8] {
        &self.buffer[self.position..]
    }

    /// Reads more from the connection; false at its end.
    async fn fill(&mut self) -> Result<bool> {
        self.buffer.drain(..self.position);
        self.position = 0;
        self.buffer.reserve(READ_BYTES);
        let read = self
            .io
            .read_buf(self.buffer)
            .await
            .map_err(|e| failed(super::detail(&e)))?;
        self.received |= read > 0;
        Ok(read > 0)
    }

    /// Reads more from the connection, whose end is an error: the answer is incomplete.
    async fn more(&mut self) -> Result<()> {
        if self.fill().await? {
            return Ok(());
        }
        Err(failed(if self.received {
            "the connection closed before the end of the answer"
        } else {
            "the connection closed without an answer"
        }))
    }

    /// Hands up to `limit` available bytes to `reader`; returns how many.
    fn copy_available(&mut self, limit: u64, reader: &mut AnswerReader<'_>) -> Result<u64> {
        let available = self.available();
        let count = available
            .len()
            .min(usize::try_from(limit).unwrap_or(usize::MAX));
        reader.push(&available[..count])?;
        self.position += count;
        Ok(count as u64)
    }

    /// Hands the next `length` bytes of the answer to `reader`.
    async fn copy(&mut self, mut length: u64, reader: &mut AnswerReader<'_>) -> Result<()> {
        loop {
            length -= self.copy_available(length, reader)?;
            if length == 0 {
                return Ok(());
            }
            self.more().await?;
        }
    }

    /// The next line, without its CRLF, as a range of the buffer; refused when longer
    /// than `max` bytes.
    async fn line(&mut self, max: usize) -> Result<Range<usize>> {
        loop {
            let available = self.available();
            if let Some(end) = available.iter().position(|&b| b == b'\n') {
                if end == 0 || available[end - 1] != b'\r' || end - 1 > max {
                    return Err(failed(format!(
                        "the answer's chunked framing is not valid near {}",
                        quote(&available[..end])
                    )));
                }
                let line = self.position..self.position + end - 1;
                self.position += end + 1;
                return Ok(line);
            }
            if available.len() > max + 1 {
                return Err(failed(format!(
                    "the answer's chunked framing is not valid near {}",
                    quote(available)
                )));
            }
            self.more().await?;
        }
    }
}
