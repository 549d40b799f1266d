//! The batch file: JSON Lines, one message per line in the message-file shape, read one
//! line at a time so that memory stays flat however long the input is.

use std::io::{self, BufRead};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::MAX_INPUT_BYTES;
use crate::message::Message;
use crate::message::draft::MessageDraft;
use crate::secret::SecretString;

/// The field a line may add to the message-file shape: the token of the user it is sent as.
pub const ACCESS_TOKEN_FIELD: &str = "access_token";

/// One line of input, without its line ending.
#[derive(Debug, PartialEq, Eq)]
pub enum RawLine {
    Text(Vec<u8>),
    /// Longer than [`MAX_INPUT_BYTES`]: skipped without being kept in memory.
    TooLong,
}

/// Splits a reader into lines of at most [`MAX_INPUT_BYTES`] each.
pub struct LineReader<R> {
    reader: R,
    /// The number of the line returned last (1 for the first).
    number: u64,
    /// Whether the reader's buffer was used up by the line returned last, so that the next
    /// line needs a read that may wait for the input.
    drained: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(reader: R) -> Self {
        LineReader {
            reader,
            number: 0,
            drained: true,
        }
    }

    /// Whether reading the next line may have to wait for the input (a pipe's writer, say):
    /// lines read so far should be handed on first.
    pub fn may_wait(&self) -> bool {
        self.drained
    }

    /// The next line and its number, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, RawLine)>> {
        let mut line = Vec::new();
        let mut too_long = false;
        let mut seen_any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                if !seen_any {
                    return Ok(None);
                }
                break;
            }
            seen_any = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let chunk = &available[..newline.unwrap_or(available.len())];
            if !too_long {
                if line.len() + chunk.len() > MAX_INPUT_BYTES {
                    // Drop what was kept; the rest of the line is read and discarded.
                    too_long = true;
                    line = Vec::new();
                } else {
                    // Most lines are whole in the buffer: one allocation of the right size.
                    line.reserve_exact(chunk.len());
                    line.extend_from_slice(chunk);
                }
            }
            let used = chunk.len() + usize::from(newline.is_some());
            self.drained = used == available.len();
            self.reader.consume(used);
            if newline.is_some() {
                break;
            }
        }
        self.number += 1;
        if too_long {
            return Ok(Some((self.number, RawLine::TooLong)));
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some((self.number, RawLine::Text(line))))
    }

    /// Counts the lines left that are not blank, as the batch would count them, without
    /// keeping them.
    pub fn count_rest(&mut self) -> io::Result<u64> {
        let mut lines = 0;
        while let Some((_, line)) = self.next_line()? {
            lines += u64::from(!matches!(line, RawLine::Text(text) if is_blank(&text)));
        }
        Ok(lines)
    }
}

/// A checked line: the message, and the token it is sent with when the line carries one.
#[derive(Debug)]
pub struct BatchLine {
    pub message: Message,
    pub access_token: Option<SecretString>,
}

/// Whether a line holds nothing but whitespace (such lines are passed over, not errors).
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Parses one line: a message file's fields, checked and worded as a message file's are,
/// and the optional `access_token`. Errors never show the token's value.
pub fn parse(bytes: &[u8]) -> Result<BatchLine> {
    let (draft, access_token) = MessageDraft::from_line(bytes, ACCESS_TOKEN_FIELD)?;
    let access_token = match access_token {
        None => None,
        Some(Value::String(token)) => {
            let token = SecretString::new(token);
            token.check_header_safe(ACCESS_TOKEN_FIELD)?;
            Some(token)
        }
        Some(_) => {
            return Err(Error::invalid(format!(
                "{ACCESS_TOKEN_FIELD}: must be a string"
            )));
        }
    };
    Ok(BatchLine {
        message: draft.build()?,
        access_token,
    })
}

/// Counts the lines of a reader without keeping them, for a progress bar's length.
pub fn count(mut reader: impl BufRead) -> io::Result<u64> {
    let mut lines = 0;
    let mut last = b'\n';
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let Some(&end) = available.last() else {
            return Ok(lines + u64::from(last != b'\n'));
        };
        lines += available.iter().filter(|&&b| b == b'\n').count() as u64;
        last = end;
        let used = available.len();
        reader.consume(used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(u64, RawLine)> {
        let mut reader = LineReader::new(io::BufReader::with_capacity(7, input));
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    fn text(s: &str) -> RawLine {
        RawLine::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn splits_lines_across_buffer_refills() {
        assert_eq!(
            lines(b"first line\r\nsecond\n\nlast without newline"),
            vec![
                (1, text("first line")),
                (2, text("second")),
                (3, text("")),
                (4, text("last without newline")),
            ]
        );
        assert_eq!(lines(b""), vec![]);
        assert_eq!(lines(b"one\n"), vec![(1, text("one"))]);
    }

    #[test]
    fn says_when_the_next_line_needs_another_read() {
        let mut reader = LineReader::new(io::BufReader::with_capacity(8, &b"ab\ncd\nefgh\n"[..]));
        assert!(reader.may_wait());
        // The buffer holds "ab\ncd\nef": two lines, then part of the third.
        reader.next_line().unwrap();
        assert!(!reader.may_wait());
        reader.next_line().unwrap();
        assert!(!reader.may_wait());
        reader.next_line().unwrap();
        assert!(reader.may_wait());
    }

    #[test]
    fn an_over_long_line_is_skipped_and_the_next_one_read() {
        let mut input = vec![b'x'; MAX_INPUT_BYTES + 1];
        input.extend_from_slice(b"\nnext\n");
        let mut reader = LineReader::new(io::BufReader::new(&input[..]));
        assert_eq!(reader.next_line().unwrap(), Some((1, RawLine::TooLong)));
        assert_eq!(reader.next_line().unwrap(), Some((2, text("next"))));
        assert_eq!(reader.next_line().unwrap(), None);
    }

    #[test]
    fn counts_lines_with_or_without_a_final_newline() {
        assert_eq!(count(&b""[..]).unwrap(), 0);
        assert_eq!(count(&b"a\nb\n"[..]).unwrap(), 2);
        assert_eq!(
            count(io::BufReader::with_capacity(2, &b"a\nbcd"[..])).unwrap(),
            2
        );
    }

    const LINE: &str = r#"{"user_id":"u","post_token":"p","peer_id":"q","message":"hi""#;

    #[test]
    fn a_line_may_carry_its_own_token() {
        let line = parse(format!(r#"{LINE},"access_token":"tok-1"}}"#).as_bytes()).unwrap();
        assert_eq!(line.access_token.unwrap().expose(), "tok-1");
        assert_eq!(
            String::from_utf8(line.message.to_body()).unwrap(),
            r#"{"user_id":"u","post_token":"p","peer_id":"q","type":"TEXT","message":"hi"}"#
        );
        let line = parse(format!("{LINE}}}").as_bytes()).unwrap();
        assert!(line.access_token.is_none());
    }

    #[test]
    fn unknown_fields_are_still_refused() {
        let err = parse(format!(r#"{LINE},"colour":"red"}}"#).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
        let err =
            parse(format!(r#"{LINE},"sender_btn":{{"data":{{"access_token":"x"}}}}}}"#).as_bytes())
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("sender_btn.data.access_token: unknown field `access_token`"),
            "{err}"
        );
    }

    #[test]
    fn bad_lines_name_the_problem_but_never_the_token() {
        let err = parse(br#"{"user_id": }"#).unwrap_err().to_string();
        assert_eq!(err, "column 13: user_id: expected value");
        let err = parse(format!(r#"{LINE},"access_token":7}}"#).as_bytes())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "access_token: must be a string");
        let err = parse(format!(r#"{LINE},"access_token":"a\nb"}}"#).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("access_token: contains a space"), "{err}");
        let err = parse(br#"{"user_id":"u","message":" ","access_token":"secret-tok"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("post_token: missing"), "{err}");
        assert!(err.contains("message: must not be blank"), "{err}");
        assert!(!err.contains("secret-tok"), "{err}");
        assert!(parse(b"[1]").is_err());
    }
}
