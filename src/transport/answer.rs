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

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use url::Url;

    use super::*;
    use crate::client::MAX_ANSWER_BYTES;

    fn request() -> PreparedRequest {
        PreparedRequest {
            method: "POST",
            url: Url::parse("http://127.0.0.1/").unwrap(),
            headers: Vec::new(),
            body: Vec::new(),
            body_secrets: Vec::new(),
        }
    }

    /// Reads `raw` arriving in two reads, split at `at`.
    async fn read_split(raw: &[u8], at: usize) -> Result<Received> {
        let mut io = (&raw[..at]).chain(&raw[at..]);
        let mut buffer = Vec::new();
        let received = read(&mut io, &mut buffer, &request()).await;
        assert!(buffer.is_empty() || received.is_err());
        received
    }

    /// Reads `raw` arriving one byte at a time.
    async fn read_bytewise(raw: &[u8]) -> Result<Received> {
        let (mut io, mut server) = tokio::io::duplex(1);
        let raw = raw.to_vec();
        let writer = tokio::spawn(async move {
            let _ = server.write_all(&raw).await;
        });
        let received = read(&mut io, &mut Vec::new(), &request()).await;
        drop(io);
        writer.await.unwrap();
        received
    }

    /// The status, body and reusability of `raw`, the same however it arrives.
    async fn received(raw: &[u8]) -> (u16, String, bool) {
        let whole = read_split(raw, raw.len()).await.unwrap();
        let expected = (
            whole.answer.status,
            String::from_utf8(whole.answer.body).unwrap(),
            whole.reusable,
        );
        for at in 0..raw.len() {
            let split = read_split(raw, at).await.unwrap();
            let split = (
                split.answer.status,
                String::from_utf8(split.answer.body).unwrap(),
                split.reusable,
            );
            assert_eq!(split, expected, "split at {at}");
        }
        let bytewise = read_bytewise(raw).await.unwrap();
        assert_eq!(bytewise.answer.body, expected.1.as_bytes());
        expected
    }

    /// The error reading `raw` gives; however it arrives, reading it fails, always
    /// leaving delivery uncertain.
    async fn failure(raw: &[u8]) -> String {
        for at in [0, raw.len() / 3, raw.len() / 2, raw.len().saturating_sub(1)] {
            let Err(split) = read_split(raw, at).await else {
                panic!("read when split at {at}: {}", String::from_utf8_lossy(raw));
            };
            assert!(split.may_have_been_delivered(), "{split}");
        }
        let Err(whole) = read_split(raw, raw.len()).await else {
            panic!("read: {}", String::from_utf8_lossy(raw));
        };
        assert!(whole.may_have_been_delivered(), "{whole}");
        whole.to_string()
    }

    fn ok(body: &str, reusable: bool) -> (u16, String, bool) {
        (200, body.to_owned(), reusable)
    }

    #[tokio::test]
    async fn a_length_frames_the_body() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(received(raw).await, ok("hello", true));
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 5, 5\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(received(raw).await, ok("hello", true));
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(received(raw).await, ok("", true));
    }

    #[tokio::test]
    async fn chunks_with_extensions_and_trailers_are_joined() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
            5;name=value\r\nhello\r\n\
            7 ; a=\"b c\";d\r\n, world\r\n\
            00000000000000000000001\r\n!\r\n\
            0\r\nExpires: never\r\nX-Checksum: 1\r\n\r\n";
        assert_eq!(received(raw).await, ok("hello, world!", true));
        let raw =
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n";
        assert_eq!(received(raw).await, ok("0123456789", true));
    }

    #[tokio::test]
    async fn malformed_chunks_are_refused() {
        for chunks in [
            "zz\r\nhello\r\n0\r\n\r\n",
            "\r\nhello\r\n0\r\n\r\n",
            "5x\r\nhello\r\n0\r\n\r\n",
            "-5\r\nhello\r\n0\r\n\r\n",
            "10000000000000000\r\nhello\r\n0\r\n\r\n",
            "5;\x01\r\nhello\r\n0\r\n\r\n",
            "5\nhello\r\n0\r\n\r\n",
            "4\r\nhello\r\n0\r\n\r\n",
            "5\r\nhello0\r\n\r\n",
        ] {
            let raw = format!("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{chunks}");
            let text = failure(raw.as_bytes()).await;
            assert!(
                text.starts_with("the request failed (the answer's chunk"),
                "{text}"
            );
        }
        let text = failure(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel").await;
        assert!(
            text.contains("closed before the end of the answer"),
            "{text}"
        );
        let long_line = format!(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;{}\r\nhello\r\n0\r\n\r\n",
            "x".repeat(MAX_CHUNK_LINE_BYTES)
        );
        assert!(failure(long_line.as_bytes()).await.contains("not valid"));
        let endless_trailers = format!(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n{}\r\n",
            "x-t: 1\r\n".repeat(MAX_TRAILER_BYTES / 8 + 1)
        );
        assert!(
            failure(endless_trailers.as_bytes())
                .await
                .contains("not valid")
        );
    }

    #[tokio::test]
    async fn lengths_that_are_invalid_or_conflict_are_refused() {
        for length in ["-1", "+5", "5 5", "abc", "0x5", "99999999999999999999999"] {
            let raw = format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\n\r\nhello");
            let text = failure(raw.as_bytes()).await;
            assert!(
                text.contains("Content-Length is not valid"),
                "{length}: {text}"
            );
        }
        let text =
            failure(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!")
                .await;
        assert!(
            text.contains("conflicting Content-Length values (5 and 6)"),
            "{text}"
        );
        let text = failure(b"HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\nhello!").await;
        assert!(text.contains("conflicting"), "{text}");
        let text = failure(b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n").await;
        assert!(
            text.contains("Transfer-Encoding is not supported: gzip"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn interim_answers_are_skipped_but_a_protocol_switch_is_refused() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\n\
            HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n\
            HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        assert_eq!(received(raw).await, ok("ok", true));
        let text = failure(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n").await;
        assert!(text.contains("HTTP 101"), "{text}");
    }

    #[tokio::test]
    async fn what_leaves_a_connection_unusable() {
        // Ends with the connection.
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nto the end";
        assert_eq!(received(raw).await, ok("to the end", false));
        let raw = b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok";
        assert_eq!(received(raw).await, ok("ok", false));
        let raw =
            b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\ncontent-length: 2\r\n\r\nok";
        assert_eq!(received(raw).await, ok("ok", false));
        // A length beside chunks: the chunks count, the connection is not trusted again.
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
        assert_eq!(received(raw).await, ok("ok", false));
        // Bytes after the answer that no request asked for.
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
        let garbage = read_split(raw, raw.len()).await.unwrap();
        assert_eq!(
            (garbage.answer.body.as_slice(), garbage.reusable),
            (&b"ok"[..], false)
        );
        // No body, whatever the length says, and the connection stays usable.
        let raw = b"HTTP/1.1 204 No Content\r\ncontent-length: 7\r\n\r\n";
        assert_eq!(received(raw).await, (204, String::new(), true));
    }

    #[tokio::test]
    async fn answers_that_are_too_large_are_refused() {
        let many = "x-h: 1\r\n".repeat(MAX_HEADERS);
        let raw = format!("HTTP/1.1 200 OK\r\n{many}content-length: 0\r\n\r\n");
        assert!(
            failure(raw.as_bytes())
                .await
                .contains("headers are too large")
        );
        let long = format!("HTTP/1.1 200 OK\r\nx-h: {}\r\n", "x".repeat(MAX_HEAD_BYTES));
        assert!(
            failure(long.as_bytes())
                .await
                .contains("headers are too large")
        );
        let limit = format!("larger than {MAX_ANSWER_BYTES} bytes");
        let raw = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
            MAX_ANSWER_BYTES + 1
        );
        assert!(failure(raw.as_bytes()).await.contains(&limit));
        let body = "x".repeat(MAX_ANSWER_BYTES + 1);
        let raw = format!("HTTP/1.1 200 OK\r\n\r\n{body}");
        assert!(failure(raw.as_bytes()).await.contains(&limit));
        let raw = format!(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
            body.len()
        );
        assert!(failure(raw.as_bytes()).await.contains(&limit));
    }

    #[tokio::test]
    async fn a_connection_that_ends_early_is_reported_as_such() {
        let text = failure(b"").await;
        assert!(text.contains("closed without an answer"), "{text}");
        let text = failure(b"HTTP/1.1 200 OK\r\ncontent-len").await;
        assert!(
            text.contains("closed before the end of the answer"),
            "{text}"
        );
        let text = failure(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello").await;
        assert!(
            text.contains("closed before the end of the answer"),
            "{text}"
        );
        let text = failure(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
        assert!(text.contains("not HTTP/1.1"), "{text}");
    }
}
