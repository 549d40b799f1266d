//! Reading input named on the command line: a file, or standard input for `-`. Input is
//! bounded so that a huge or endless source is refused instead of filling memory, and
//! input that starts with a byte-order mark is refused wherever it is read.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// Input larger than this (a message file, a message text) is refused.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// Whether a path names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How a path is named in errors.
pub fn source_name(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Opens a file, or standard input for `-`, for buffered reading; one that starts with a
/// byte-order mark is refused.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let source = source_name(path);
    let mut reader: Box<dyn BufRead + Send> = if is_stdin(path) {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::invalid(format!("{source}: cannot open: {e}")))?;
        Box::new(BufReader::new(file))
    };
    let start = reader
        .fill_buf()
        .map_err(|e| Error::invalid(format!("{source}: cannot read: {e}")))?;
    refuse_bom(&source, start)?;
    Ok(reader)
}

/// The one rule for a byte-order mark, wherever input comes from: refused, with the same
/// message. Dropping it instead would make a file mean something else than it says to a
/// tool that keeps it, and sending it would put an invisible character in front of a text.
pub fn refuse_bom(source: &str, bytes: &[u8]) -> Result<()> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(Error::invalid(format!(
            "{source}: starts with a UTF-8 byte-order mark; save it as plain UTF-8 without BOM"
        )));
    }
    Ok(())
}

/// Refuses `path` unless it is a regular file or does not exist yet, for a file the
/// program keeps its records in (a journal, an event log). A FIFO would block its open
/// until something reads it, or its writes once its buffer is full, where no signal
/// reaches the program; a device or a directory keeps no records.
pub fn refuse_unless_regular(name: &str, path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(Error::invalid(format!("{name}: not a regular file"))),
        _ => Ok(()),
    }
}

/// [`open`] for input that is read as it comes (a batch): standard input, a regular file
/// or a pipe; a directory or a device is refused before anything is read.
pub fn open_stream(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    if !is_stdin(path) {
        let name = source_name(path);
        let kind = std::fs::metadata(path)
            .map_err(|e| Error::invalid(format!("{name}: cannot open: {e}")))?
            .file_type();
        #[cfg(unix)]
        let device = {
            use std::os::unix::fs::FileTypeExt as _;
            kind.is_block_device() || kind.is_char_device() || kind.is_socket()
        };
        #[cfg(not(unix))]
        let device = false;
        if kind.is_dir() {
            return Err(Error::invalid(format!(
                "{name}: is a directory, not a file"
            )));
        }
        if device {
            return Err(Error::invalid(format!("{name}: is a device, not a file")));
        }
    }
    open(path)
}

/// Reads all of a file, or standard input for `-`, refusing more than [`MAX_INPUT_BYTES`].
pub fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let source = source_name(path);
    let reader = open(path)?;
    read_limited(reader, &source)
}

/// Reads a file like [`read_bounded`], or `None` when it does not exist: for files the
/// tool keeps itself, which are absent until first written.
pub fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::File::open(path) {
        Ok(file) => read_limited(file, &source_name(path)).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::invalid(format!(
            "{}: cannot open: {e}",
            source_name(path)
        ))),
    }
}

fn read_limited(reader: impl Read, source: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid(format!("{source}: cannot read: {e}")))?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Error::invalid(format!(
            "{source}: larger than {MAX_INPUT_BYTES} bytes"
        )));
    }
    refuse_bom(source, &bytes)?;
    Ok(bytes)
}

/// Reads UTF-8 text with [`read_bounded`]; one trailing newline is dropped, as in
/// [`read_text_from`].
pub fn read_text(path: &Path) -> Result<String> {
    read_text_from(open(path)?, &source_name(path))
}

/// Reads at most [`MAX_INPUT_BYTES`] of UTF-8 text from `reader`, which `source` names in
/// errors. One trailing newline (`\n` or `\r\n`) is dropped, since editors add it and it
/// is never meant as part of the value.
pub fn read_text_from(reader: impl Read, source: &str) -> Result<String> {
    let bytes = read_limited(reader, source)?;
    let mut text = String::from_utf8(bytes).map_err(|e| not_utf8(source, &e.utf8_error()))?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// The error for input from `source` that is not UTF-8, with where it stops being UTF-8.
pub fn not_utf8(source: &str, e: &std::str::Utf8Error) -> Error {
    Error::invalid(format!(
        "{source}: not UTF-8 text (invalid byte at offset {})",
        e.valid_up_to()
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A FIFO made in `dir`, for what must refuse one rather than block on it.
    #[cfg(unix)]
    pub(crate) fn fifo(dir: &Path) -> std::path::PathBuf {
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        fifo
    }

    #[test]
    fn text_loses_one_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, "a\n\r\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "a\n");
    }

    #[test]
    fn large_and_non_utf8_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'a'; MAX_INPUT_BYTES + 1]).unwrap();
        assert!(
            read_bounded(&path)
                .unwrap_err()
                .to_string()
                .contains("larger than")
        );
        std::fs::write(&path, b"ok\xff").unwrap();
        let err = read_text(&path).unwrap_err().to_string();
        assert!(
            err.contains("not UTF-8 text (invalid byte at offset 2)"),
            "{err}"
        );
        std::fs::write(&path, b"\xEF\xBB\xBFtext").unwrap();
        for err in [
            read_text(&path).unwrap_err(),
            read_bounded(&path).unwrap_err(),
            open(&path).err().unwrap(),
        ] {
            assert!(
                err.to_string()
                    .ends_with("byte-order mark; save it as plain UTF-8 without BOM"),
                "{err}"
            );
        }
        let missing = dir.path().join("missing");
        assert_eq!(read_if_present(&missing).unwrap(), None);
        assert!(
            read_bounded(&missing)
                .unwrap_err()
                .to_string()
                .contains("cannot open")
        );
    }
}
