//! The log of what `listen` received: one JSON object a line (JSON Lines), appended as each
//! request arrives, in a file only its owner can read (0600 on Unix). It keeps each body
//! byte for byte, so that `events replay` sends exactly what came; it never keeps the
//! `Authorization` header, which is the app's identification key.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
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

/// The log file, open for appending.
#[derive(Debug)]
pub struct Log {
    path: PathBuf,
    file: Mutex<File>,
}

impl Log {
    /// Opens the log at `path` for appending, creating it (and its directory) private to
    /// the user when it does not exist.
    pub fn open(path: &Path) -> Result<Self> {
        let cannot = |e: std::io::Error| {
            Error::invalid(format!("event log {}: cannot open: {e}", path.display()))
        };
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(cannot)?;
        }
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(cannot)?;
        Ok(Log {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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

/// Which record of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Id(String),
    Last,
}

/// Finds one record in the log at `path`. A line that cannot be read is an error naming
/// its line, unless it is the last one (a write cut short).
pub fn find(path: &Path, pick: &Pick) -> Result<Record> {
    let name = format!("event log {}", path.display());
    let file = File::open(path).map_err(|e| {
        Error::invalid(format!(
            "{name}: cannot read: {e}; `kenar-chat listen` writes it"
        ))
    })?;
    let mut found = None;
    let mut lines = BufReader::new(file).lines().enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let line = line.map_err(|e| Error::invalid(format!("{name}: line {}: {e}", index + 1)))?;
        let record = match serde_json::from_str::<Record>(&line) {
            Ok(record) => record,
            Err(_) if lines.peek().is_none() => break,
            Err(e) => {
                return Err(Error::invalid(format!(
                    "{name}: line {}, column {}: {e}",
                    index + 1,
                    e.column()
                )));
            }
        };
        match pick {
            Pick::Id(id) if record.id == *id => return Ok(record),
            Pick::Id(_) => {}
            Pick::Last => found = Some(record),
        }
    }
    found.ok_or_else(|| match pick {
        Pick::Id(id) => Error::invalid(format!("{name}: no request {id:?}")),
        Pick::Last => Error::invalid(format!("{name}: no request yet")),
    })
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
    fn a_line_cut_short_at_the_end_is_passed_over_and_elsewhere_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let good = serde_json::to_string(&record("a", b"{}")).unwrap();
        std::fs::write(&path, format!("{good}\n{{\"id\":")).unwrap();
        assert_eq!(find(&path, &Pick::Last).unwrap().id, "a");
        std::fs::write(&path, format!("{{\"id\":\n{good}\n")).unwrap();
        let err = find(&path, &Pick::Last).unwrap_err().to_string();
        assert!(err.contains("line 1, column"), "{err}");
    }
}
