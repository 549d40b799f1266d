//! The log of what `listen` received: one JSON object a line (JSON Lines), appended as each
//! request arrives, in a file only its owner can read (0600 on Unix). It keeps each body
//! byte for byte, so that `events replay` sends exactly what came; it never keeps the
//! `Authorization` header, which is the app's identification key.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The log's name inside the config directory.
pub const LOG_FILE: &str = "events.jsonl";

/// One request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The log's own name for it, for `events replay ID`.
    pub id: String,
    /// When it arrived, RFC 3339 UTC.
    pub received_at: String,
    pub method: String,
    /// The path and query it was sent to.
    pub path: String,
    /// Header names (lower-case) and values in the order received, without `Authorization`.
    pub headers: Vec<(String, String)>,
    /// The body when it is UTF-8 (as JSON from Divar is); of one refused as too large or
    /// too slow, what arrived of it...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// ...else base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// What it is (the event type, SERVER_LINK, DYNAMIC_ACTION), when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it was forwarded, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_to: Option<String>,
    /// The receiver's own answer, when it refused the request after the key check: not a
    /// POST, a body too large, too slow or not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

/// An answer the receiver gave itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub status: u16,
    pub reason: String,
}

impl Record {
    /// Keeps `body` as text when it is UTF-8, else as base64.
    pub fn set_body(&mut self, body: &[u8]) {
        match std::str::from_utf8(body) {
            Ok(text) => self.body = Some(text.to_owned()),
            Err(_) => self.body_base64 = Some(STANDARD.encode(body)),
        }
    }

    /// Whether the body kept is all that was sent: not when the receiver refused the
    /// request before it had read the whole body (405, 408, 413).
    pub fn whole(&self) -> bool {
        !self
            .refused
            .as_ref()
            .is_some_and(|refusal| [405, 408, 413].contains(&refusal.status))
    }

    /// The body's bytes, as they arrived.
    pub fn body_bytes(&self) -> Result<Vec<u8>> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(encoded)) => STANDARD.decode(encoded).map_err(|e| {
                Error::invalid(format!(
                    "request {}: body_base64 is not base64: {e}",
                    self.id
                ))
            }),
            (None, None) => Ok(Vec::new()),
        }
    }
}

/// The largest body `listen` takes, so that its record fits in [`MAX_RECORD_BYTES`]: JSON
/// writes a control character in six bytes, and the head of a request is bounded by the
/// server.
pub const MAX_BODY_BYTES: usize = 8 << 20;

/// The longest line of the log read back: longer than any record `listen` writes, so that a
/// device or a corrupt file is refused rather than read into memory whole.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// The log file, open for appending.
#[derive(Debug)]
pub struct Log {
    path: PathBuf,
    file: Mutex<File>,
    /// The log ended in a record cut short when it was opened.
    ended_torn: bool,
}

impl Log {
    /// Opens the log at `path` for appending, creating it (and its directory) private to
    /// the user when it does not exist. A record cut short by a run that stopped while
    /// writing it (a crash, a full disk) is ended with a line break, so that the next
    /// record starts on a line of its own: it stays as it was, and is passed over when the
    /// log is read.
    /// A log that is not a regular file is refused: the writes of the server's requests
    /// must never wait on a reader (a FIFO) that may never come.
    pub fn open(path: &Path) -> Result<Self> {
        let name = format!("event log {}", path.display());
        let cannot = |e: std::io::Error| Error::invalid(format!("{name}: cannot open: {e}"));
        crate::input::refuse_unless_regular(&name, path)?;
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(cannot)?;
        }
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(cannot)?;
        let ended_torn = ends_torn(&mut file).map_err(cannot)?;
        if ended_torn {
            file.write_all(b"\n").map_err(cannot)?;
        }
        Ok(Log {
            path: path.to_owned(),
            file: Mutex::new(file),
            ended_torn,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the log ended in a record cut short when it was opened.
    pub fn ended_torn(&self) -> bool {
        self.ended_torn
    }

    /// Appends one record as one line, written at once so that lines never interleave.
    pub fn append(&self, record: &Record) -> Result<()> {
        let mut line = serde_json::to_vec(record).map_err(|e| {
            Error::Unavailable(format!(
                "cannot write request {} to the log: {e}",
                record.id
            ))
        })?;
        line.push(b'\n');
        let mut file = self
            .file
            .lock()
            .map_err(|_| Error::Unavailable("the event log is unusable after a failure".into()))?;
        file.write_all(&line).map_err(|e| {
            Error::Unavailable(format!(
                "cannot write request {} to the event log {}: {e}",
                record.id,
                self.path.display()
            ))
        })
    }
}

/// Whether `file`, a regular file, ends other than with a line break (a device or a pipe
/// ends nowhere).
fn ends_torn(file: &mut File) -> std::io::Result<bool> {
    let metadata = file.metadata()?;
    if !metadata.is_file() || metadata.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0_u8];
    file.read_exact(&mut last)?;
    Ok(last != *b"\n")
}

/// Which record of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Id(String),
    Last,
}

/// Finds one record in the log at `path`. A line cut short (a record a stopped run did not
/// finish) is passed over, unless it is the last and the last is asked for; any other line
/// that cannot be read, or one longer than [`MAX_RECORD_BYTES`], is an error naming it.
pub fn find(path: &Path, pick: &Pick) -> Result<Record> {
    let name = format!("event log {}", path.display());
    // A FIFO would block the open until something writes to it.
    crate::input::refuse_unless_regular(&name, path)?;
    let file = File::open(path).map_err(|e| {
        Error::invalid(format!(
            "{name}: cannot read: {e}; `kenar-chat listen` writes it"
        ))
    })?;
    let mut reader = BufReader::new(file);
    let mut found = None;
    let mut torn = Vec::new();
    let mut line = Vec::new();
    for number in 1_usize.. {
        line.clear();
        let read = (&mut reader)
            .take(MAX_RECORD_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::invalid(format!("{name}: line {number}: {e}")))?;
        if read == 0 {
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if line.len() > MAX_RECORD_BYTES {
            return Err(Error::invalid(format!(
                "{name}: line {number} is longer than {} MiB, more than any request listen \
                 records",
                MAX_RECORD_BYTES >> 20
            )));
        }
        // Without its line break, a record cut short in a string reads as cut short.
        let record = match serde_json::from_slice::<Record>(line.trim_ascii_end()) {
            Ok(record) => record,
            Err(e) if e.is_eof() => {
                torn.push(number);
                continue;
            }
            Err(e) => {
                return Err(Error::invalid(format!(
                    "{name}: line {number}, column {}: {e}",
                    e.column()
                )));
            }
        };
        match pick {
            Pick::Id(id) if record.id == *id => return Ok(record),
            Pick::Id(_) => {}
            Pick::Last => found = Some((number, record)),
        }
    }
    let last_cut = |line: usize| {
        Err(Error::invalid(format!(
            "{name}: line {line}, the last, is a record cut short (a listen stopped while \
             writing it): give the ID of the request to replay"
        )))
    };
    match pick {
        Pick::Last => match (found, torn.last().copied()) {
            (Some((number, _)), Some(line)) if line > number => last_cut(line),
            (Some((_, record)), _) => Ok(record),
            (None, Some(line)) => last_cut(line),
            (None, None) => Err(Error::invalid(format!("{name}: no request yet"))),
        },
        Pick::Id(id) => Err(Error::invalid(match torn.as_slice() {
            [] => format!("{name}: no request {id:?}"),
            [line] => format!(
                "{name}: no request {id:?} (line {line} is a record cut short, which may have \
                 been it)"
            ),
            lines => format!(
                "{name}: no request {id:?} (lines {} are records cut short, which may have \
                 been it)",
                lines
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, body: &[u8]) -> Record {
        let mut record = Record {
            id: id.into(),
            received_at: "2026-12-06T12:00:00Z".into(),
            method: "POST".into(),
            path: "/divar".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: None,
            body_base64: None,
            name: None,
            forwarded_to: None,
            refused: None,
        };
        record.set_body(body);
        record
    }

    #[test]
    fn records_are_found_by_id_or_last_with_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/events.jsonl");
        let log = Log::open(&path).unwrap();
        log.append(&record("a", b"{\"text\":\"\\u0041 \xd8\xb3\"}"))
            .unwrap();
        log.append(&record("b", b"\xff\x00binary")).unwrap();
        let a = find(&path, &Pick::Id("a".into())).unwrap();
        assert_eq!(a.body_bytes().unwrap(), b"{\"text\":\"\\u0041 \xd8\xb3\"}");
        let last = find(&path, &Pick::Last).unwrap();
        assert_eq!(last.id, "b");
        assert_eq!(last.body_bytes().unwrap(), b"\xff\x00binary");
        let missing = find(&path, &Pick::Id("c".into())).unwrap_err();
        assert!(
            missing.to_string().ends_with("no request \"c\""),
            "{missing}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_record_cut_short_is_passed_over_unless_it_is_the_last_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let good = |id| serde_json::to_string(&record(id, b"{}")).unwrap();
        let cut = &good("b")[..30];
        std::fs::write(&path, format!("{}\n{cut}", good("a"))).unwrap();
        let err = find(&path, &Pick::Last).unwrap_err().to_string();
        assert!(
            err.contains("line 2, the last, is a record cut short"),
            "{err}"
        );
        assert_eq!(find(&path, &Pick::Id("a".into())).unwrap().id, "a");
        let err = find(&path, &Pick::Id("b".into())).unwrap_err().to_string();
        assert!(err.contains("line 2 is a record cut short"), "{err}");
        // The next run starts on a line of its own, and the cut record is passed over.
        let log = Log::open(&path).unwrap();
        assert!(log.ended_torn());
        log.append(&record("c", b"{}")).unwrap();
        assert_eq!(find(&path, &Pick::Last).unwrap().id, "c");
        assert!(!Log::open(&path).unwrap().ended_torn());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n{cut}\n{}\n", good("a"), good("c")));
    }

    /// A FIFO would block `events replay` in its open, and `listen`'s writes once its
    /// buffer is full: both refuse it (and a directory) at once.
    #[cfg(unix)]
    #[test]
    fn a_log_that_is_not_a_regular_file_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = crate::input::tests::fifo(dir.path());
        for path in [fifo.as_path(), dir.path()] {
            let refused = Log::open(path).unwrap_err().to_string();
            assert!(refused.ends_with("not a regular file"), "{refused}");
            let refused = find(path, &Pick::Last).unwrap_err().to_string();
            assert!(refused.ends_with("not a regular file"), "{refused}");
        }
    }

    #[test]
    fn a_line_that_is_not_a_record_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let good = serde_json::to_string(&record("a", b"{}")).unwrap();
        std::fs::write(&path, format!("\n{{\"id\":1}}\n{good}\n")).unwrap();
        let err = find(&path, &Pick::Last).unwrap_err().to_string();
        assert!(err.contains("line 2, column"), "{err}");
        std::fs::write(&path, format!("{good}\n\n")).unwrap();
        assert_eq!(find(&path, &Pick::Last).unwrap().id, "a");
    }
}
