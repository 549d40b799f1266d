//! The journal: an append-only file recording, for each line, that it is about to be sent
//! and then how it ended, so that a re-run skips what was sent and holds back what may
//! have been.
//!
//! One record per text line: a letter and the line's ID in hex. `I` (intent) is durable
//! before the request leaves; `S` (sent), `F` (certainly not delivered) or `U` (delivery
//! uncertain) follow. Records are written by one thread in groups: whatever was queued
//! while the last group was written goes out in one `write`, followed by one `fsync` when
//! the group holds intents. Outcomes need no `fsync` of their own: once written they
//! survive the process being killed, the next group's `fsync` makes them durable, and an
//! outcome lost to a system crash leaves its line in doubt, which is the safe side.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read as _, Seek, SeekFrom, Write as _};
use std::path::Path;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use sha2::{Digest as _, Sha256};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// The first line of every journal, so that another file is never mistaken for one.
const HEADER: &[u8] = b"kenar-chat journal 1\n";
/// A record: letter, space, 32 hex digits, newline.
const RECORD_LEN: usize = 35;
/// Zeros are written this far ahead of the records, so that the `fsync` after a group
/// finds the file's size and blocks as they were and writes the records alone: on ext4
/// that takes a third less time than when the file grows with every group. The zeros are
/// cut off at the end, or when the journal is next opened after a crash.
const ZEROS_AHEAD: usize = 64 * 1024;

/// What identifies a line across runs: the first 128 bits of the SHA-256 of the request
/// body. The access token is not part of it, so a refreshed token does not make a sent
/// line look new, and nothing derived from a secret is written. At 128 bits, two
/// different messages share an ID with negligible probability (about 2^-88 for a million
/// lines); identical messages share it by design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId([u8; 16]);

impl LineId {
    /// The first 64 bits, for telling lines of one run apart: two different messages
    /// share them with a probability of about 2^-25 in a million lines.
    pub fn short(&self) -> u64 {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(first)
    }

    pub fn of(body: &[u8]) -> Self {
        let digest = Sha256::digest(body);
        let mut id = [0; 16];
        id.copy_from_slice(&digest[..16]);
        LineId(id)
    }

    #[cfg(test)]
    fn hex(self) -> String {
        let mut hex = Vec::new();
        self.write_hex(&mut hex);
        String::from_utf8_lossy(&hex).into_owned()
    }

    /// Appends the ID as 32 lowercase hex digits, as journal records hold it.
    fn write_hex(self, out: &mut Vec<u8>) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for byte in self.0 {
            out.push(DIGITS[usize::from(byte >> 4)]);
            out.push(DIGITS[usize::from(byte & 0xf)]);
        }
    }

    fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u128::from_str_radix(text, 16)
            .ok()
            .map(|n| LineId(n.to_be_bytes()))
    }
}

/// One journal record's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// The request is about to leave.
    Intent,
    /// The API accepted the message.
    Sent,
    /// The message was certainly not delivered; a re-run sends it again.
    NotDelivered,
    /// The request may have been delivered; a re-run holds it back as in doubt.
    Uncertain,
}

impl Record {
    fn letter(self) -> u8 {
        match self {
            Record::Intent => b'I',
            Record::Sent => b'S',
            Record::NotDelivered => b'F',
            Record::Uncertain => b'U',
        }
    }

    fn from_letter(letter: &str) -> Option<Self> {
        match letter {
            "I" => Some(Record::Intent),
            "S" => Some(Record::Sent),
            "F" => Some(Record::NotDelivered),
            "U" => Some(Record::Uncertain),
            _ => None,
        }
    }
}

/// What earlier runs recorded about a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Sent,
    /// An intent without outcome (the process died mid-request), or an uncertain outcome.
    InDoubt,
}

/// The lines earlier runs sent or left in doubt: 16 bytes per line, in sorted vectors.
#[derive(Debug, Default)]
pub struct History {
    sent: Vec<LineId>,
    in_doubt: Vec<LineId>,
}

impl History {
    pub fn status(&self, id: &LineId) -> Option<Status> {
        if self.sent.binary_search(id).is_ok() {
            Some(Status::Sent)
        } else if self.in_doubt.binary_search(id).is_ok() {
            Some(Status::InDoubt)
        } else {
            None
        }
    }

    /// Replays records in order. Once sent, a line stays sent; an intent followed by another
    /// intent or by nothing leaves the line in doubt, even if a later attempt failed.
    fn replay(records: impl IntoIterator<Item = (Record, LineId)>) -> Self {
        #[derive(Default, Clone, Copy)]
        struct Seen {
            sent: bool,
            in_doubt: bool,
            open_intent: bool,
        }
        let mut seen: HashMap<LineId, Seen> = HashMap::new();
        for (record, id) in records {
            let line = seen.entry(id).or_default();
            match record {
                Record::Intent => {
                    line.in_doubt |= line.open_intent;
                    line.open_intent = true;
                }
                Record::Sent => line.sent = true,
                Record::NotDelivered => {}
                Record::Uncertain => line.in_doubt = true,
            }
            if record != Record::Intent {
                line.open_intent = false;
            }
        }
        let mut history = History::default();
        for (id, line) in seen {
            if line.sent {
                history.sent.push(id);
            } else if line.in_doubt || line.open_intent {
                history.in_doubt.push(id);
            }
        }
        history.sent.sort_unstable();
        history.in_doubt.sort_unstable();
        history
    }
}

/// Records handed to the writer thread at once; `durable` is told once they are on disk.
struct Entry {
    records: Vec<(Record, LineId)>,
    durable: Option<oneshot::Sender<std::result::Result<(), String>>>,
}

/// The open journal: its writer thread, fed by [`Journal::write`].
pub struct Journal {
    sender: mpsc::Sender<Entry>,
    writer: JoinHandle<io::Result<()>>,
}

/// Resolves once the intents of a group are on disk, or with why they are not.
pub struct Durable(oneshot::Receiver<std::result::Result<(), String>>);

impl Future for Durable {
    type Output = std::result::Result<(), String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The writer drops the sender only when it stopped on an error reported before.
        Pin::new(&mut self.0).poll(cx).map(|told| {
            told.unwrap_or_else(|_| Err("the journal writer stopped after an error".to_owned()))
        })
    }
}

impl Journal {
    /// Opens or creates the journal at `path` and reads what earlier runs recorded. A torn
    /// last record (the process died while writing it) is cut off; any other damage, or a
    /// file that is not a journal, is an error and the file is left as it is.
    pub fn open(path: &Path) -> Result<(History, Journal)> {
        let name = format!("journal {}", path.display());
        let fail = |what: &str, e: io::Error| Error::invalid(format!("{name}: {what}: {e}"));
        // Opening a FIFO or a device would block or read what is no journal.
        crate::input::refuse_unless_regular(&name, path)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail("cannot open", e))?;
        // Two runs on one journal would each read the other's lines as unsent and send
        // them too: the file stays locked until this run's writer closes it.
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => {
                Error::invalid(format!("{name}: in use by another run; wait for it to end"))
            }
            std::fs::TryLockError::Error(e) => fail("cannot lock", e),
        })?;
        let mut head = Vec::new();
        (&mut file)
            .take(HEADER.len() as u64)
            .read_to_end(&mut head)
            .map_err(|e| fail("cannot read", e))?;
        let history = if HEADER.starts_with(&head) && head.len() < HEADER.len() {
            // New, or torn while its header was written: start it afresh.
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(HEADER))
                .and_then(|()| file.sync_data())
                .map_err(|e| fail("cannot write", e))?;
            // The file's name is an entry of its directory: until that is on disk too, a
            // power loss can take the journal away, and a re-run would send every line again.
            sync_directory_of(path).map_err(|e| fail("cannot sync its directory", e))?;
            History::default()
        } else if head == HEADER {
            let (records, end) = read_records(&name, &mut file)?;
            file.set_len(end).map_err(|e| fail("cannot write", e))?;
            History::replay(records)
        } else {
            return Err(Error::invalid(format!(
                "{name}: not a kenar-chat journal; refusing to write to it"
            )));
        };
        file.seek(SeekFrom::End(0))
            .map_err(|e| fail("cannot write", e))?;
        let (sender, receiver) = mpsc::channel();
        let writer = std::thread::spawn(move || write_groups(file, &receiver));
        Ok((history, Journal { sender, writer }))
    }

    /// Queues records for the next write, in order. When they hold intents, the answer
    /// resolves once they are on disk; outcomes alone are written without waiting for an
    /// `fsync` (until the next one, a crash leaves their lines in doubt: the safe side).
    pub fn write(&self, records: Vec<(Record, LineId)>) -> Option<Durable> {
        let intents = records.iter().any(|(record, _)| *record == Record::Intent);
        let (durable, on_disk) = if intents {
            let (durable, on_disk) = oneshot::channel();
            (Some(durable), Some(Durable(on_disk)))
        } else {
            (None, None)
        };
        // A send error drops `durable`, so that `on_disk` reports the writer stopped.
        let _ = self.sender.send(Entry { records, durable });
        on_disk
    }

    /// Waits until every queued record is on disk.
    pub fn finish(self) -> io::Result<()> {
        drop(self.sender);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the journal writer stopped")))
    }
}

/// Makes the entries of the directory holding `path` durable (where a directory can be
/// synced: on Unix).
fn sync_directory_of(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(directory)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Reads records after the header; returns them and the offset where the last complete
/// one ends.
fn read_records(name: &str, file: &mut File) -> Result<(Vec<(Record, LineId)>, u64)> {
    let mut reader = BufReader::new(file);
    let mut records = Vec::new();
    let mut end = HEADER.len() as u64;
    let mut line = String::new();
    for number in 2.. {
        line.clear();
        let read = (&mut reader)
            .take(RECORD_LEN as u64)
            .read_line(&mut line)
            .map_err(|e| Error::invalid(format!("{name}: cannot read: {e}")))?;
        if line.contains('\0') {
            // The zeros written ahead, perhaps after a record torn by a crash: the end.
            let mut rest = Vec::new();
            reader
                .read_to_end(&mut rest)
                .map_err(|e| Error::invalid(format!("{name}: cannot read: {e}")))?;
            let zeros = line
                .split_once('\0')
                .is_some_and(|(_, after)| after.bytes().chain(rest).all(|byte| byte == 0));
            if !zeros {
                return Err(damaged(name, number));
            }
            break;
        }
        let Some(text) = line.strip_suffix('\n') else {
            if read == RECORD_LEN {
                return Err(damaged(name, number));
            }
            // The end of the file, or a record torn by a crash: it is dropped.
            break;
        };
        let record = text
            .split_once(' ')
            .and_then(|(letter, hex)| Some((Record::from_letter(letter)?, LineId::from_hex(hex)?)))
            .ok_or_else(|| damaged(name, number))?;
        records.push(record);
        end += read as u64;
    }
    Ok((records, end))
}

fn damaged(name: &str, number: u64) -> Error {
    Error::invalid(format!(
        "{name}: line {number}: not a journal record; the journal is damaged"
    ))
}

/// The writer thread: takes every record queued so far and writes them with one `write`,
/// plus one `fsync` when intents are among them, then tells those waiting for the intents.
/// At the end the zeros ahead are cut off and what is not yet synced is synced. Stops at
/// the first error.
fn write_groups(mut file: File, receiver: &mpsc::Receiver<Entry>) -> io::Result<()> {
    let mut buffer = Vec::new();
    let mut end = file.stream_position()?;
    let mut zeros_end = end;
    while let Ok(first) = receiver.recv() {
        let group: Vec<Entry> = std::iter::once(first).chain(receiver.try_iter()).collect();
        buffer.clear();
        for (record, id) in group.iter().flat_map(|entry| &entry.records) {
            buffer.push(record.letter());
            buffer.push(b' ');
            id.write_hex(&mut buffer);
            buffer.push(b'\n');
        }
        let intents = group.iter().any(|entry| entry.durable.is_some());
        let written = write_ahead_of_zeros(&mut file, &buffer, end, &mut zeros_end)
            .and_then(|()| if intents { file.sync_data() } else { Ok(()) });
        end += buffer.len() as u64;
        let told = written
            .as_ref()
            .map(|_| ())
            .map_err(|e| format!("cannot write the journal: {e}"));
        for entry in group {
            if let Some(durable) = entry.durable {
                let _ = durable.send(told.clone());
            }
        }
        written?;
    }
    file.set_len(end)?;
    file.sync_data()
}

/// Writes `records` at `end`, the file's cursor, first writing zeros ahead when they run
/// out before the records' end.
fn write_ahead_of_zeros(
    file: &mut File,
    records: &[u8],
    end: u64,
    zeros_end: &mut u64,
) -> io::Result<()> {
    let records_end = end + records.len() as u64;
    if records_end > *zeros_end {
        let zeros = vec![0; ZEROS_AHEAD.max(records.len())];
        file.write_all(&zeros)?;
        file.seek(SeekFrom::Start(end))?;
        *zeros_end = end + zeros.len() as u64;
    }
    file.write_all(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO named as the journal is refused at once instead of blocking the run in its
    /// open, where no signal reaches it.
    #[cfg(unix)]
    #[test]
    fn a_journal_that_is_not_a_regular_file_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = crate::input::tests::fifo(dir.path());
        let refused = Journal::open(&fifo).err().expect("refused").to_string();
        assert!(refused.ends_with("not a regular file"), "{refused}");
        let refused = Journal::open(dir.path())
            .err()
            .expect("refused")
            .to_string();
        assert!(refused.ends_with("not a regular file"), "{refused}");
    }

    fn id(n: u8) -> LineId {
        LineId::of(&[n])
    }

    fn record(path: &Path, records: &[(Record, LineId)]) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (_, journal) = Journal::open(path).unwrap();
        for &record in records {
            if let Some(durable) = journal.write(vec![record]) {
                runtime.block_on(durable).unwrap();
            }
        }
        journal.finish().unwrap();
    }

    #[test]
    fn the_directory_of_a_new_journal_is_synced_wherever_it_is_named() {
        let dir = tempfile::tempdir().unwrap();
        sync_directory_of(&dir.path().join("journal")).unwrap();
        // A bare name is in the current directory, whose parent is empty.
        sync_directory_of(Path::new("journal")).unwrap();
        #[cfg(unix)]
        assert!(sync_directory_of(&dir.path().join("missing/journal")).is_err());
    }

    #[test]
    fn ids_are_stable_and_round_trip_through_hex() {
        assert_eq!(LineId::of(b"abc").hex(), "ba7816bf8f01cfea414140de5dae2223");
        assert_eq!(LineId::from_hex(&id(1).hex()), Some(id(1)));
        assert_eq!(LineId::from_hex("+a7816bf8f01cfea414140de5dae2223"), None);
        assert_eq!(LineId::from_hex("ba78"), None);
    }

    #[test]
    fn a_rerun_knows_what_was_sent_and_what_is_in_doubt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        use Record::*;
        record(
            &path,
            &[
                (Intent, id(1)),
                (Intent, id(2)),
                (Intent, id(3)),
                (Intent, id(4)),
                (Sent, id(1)),
                (NotDelivered, id(2)),
                (Uncertain, id(3)),
            ],
        );
        // A second run: 2 is retried and sent, 4 is resent and fails; 5 starts and dies.
        record(
            &path,
            &[
                (Intent, id(2)),
                (Sent, id(2)),
                (Intent, id(4)),
                (NotDelivered, id(4)),
                (Intent, id(5)),
            ],
        );
        let (history, journal) = Journal::open(&path).unwrap();
        journal.finish().unwrap();
        assert_eq!(history.status(&id(1)), Some(Status::Sent));
        assert_eq!(history.status(&id(2)), Some(Status::Sent));
        assert_eq!(history.status(&id(3)), Some(Status::InDoubt));
        // The first attempt at 4 may have arrived: a later failure does not clear that.
        assert_eq!(history.status(&id(4)), Some(Status::InDoubt));
        assert_eq!(history.status(&id(5)), Some(Status::InDoubt));
        assert_eq!(history.status(&id(6)), None);
    }

    #[test]
    fn a_group_is_written_in_order_and_only_intents_are_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (_, journal) = Journal::open(&path).unwrap();
        let durable = journal.write(vec![(Record::Intent, id(1)), (Record::Intent, id(2))]);
        runtime.block_on(durable.unwrap()).unwrap();
        assert!(journal.write(vec![(Record::Sent, id(1))]).is_none());
        let durable = journal.write(vec![(Record::Uncertain, id(2)), (Record::Intent, id(3))]);
        runtime.block_on(durable.unwrap()).unwrap();
        journal.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let letters: String = text.lines().skip(1).map(|l| &l[..1]).collect();
        assert_eq!(letters, "IISUI", "{text}");
        let (history, journal) = Journal::open(&path).unwrap();
        journal.finish().unwrap();
        assert_eq!(history.status(&id(1)), Some(Status::Sent));
        assert_eq!(history.status(&id(2)), Some(Status::InDoubt));
        assert_eq!(history.status(&id(3)), Some(Status::InDoubt));
    }

    #[test]
    fn a_torn_last_record_is_dropped_and_the_journal_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        record(&path, &[(Record::Intent, id(1)), (Record::Sent, id(1))]);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(format!("S {}", &id(2).hex()[..20]).as_bytes())
            .unwrap();
        drop(file);
        record(&path, &[(Record::Intent, id(3)), (Record::Sent, id(3))]);
        let (history, journal) = Journal::open(&path).unwrap();
        journal.finish().unwrap();
        assert_eq!(history.status(&id(1)), Some(Status::Sent));
        assert_eq!(history.status(&id(2)), None);
        assert_eq!(history.status(&id(3)), Some(Status::Sent));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5, "{text}");
    }

    #[test]
    fn the_zeros_ahead_are_cut_off_at_the_end_or_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        record(&path, &[(Record::Intent, id(1)), (Record::Sent, id(1))]);
        let clean = std::fs::read(&path).unwrap();
        assert_eq!(clean.len(), HEADER.len() + 2 * RECORD_LEN);
        // A crash leaves the zeros, maybe after a torn record: both are dropped.
        let torn = format!("I {}", &id(2).hex()[..9]);
        let crashed = [&clean[..], torn.as_bytes(), &[0; 5000]].concat();
        std::fs::write(&path, &crashed).unwrap();
        record(&path, &[(Record::Intent, id(3))]);
        let (history, journal) = Journal::open(&path).unwrap();
        journal.finish().unwrap();
        assert_eq!(history.status(&id(1)), Some(Status::Sent));
        assert_eq!(history.status(&id(2)), None);
        assert_eq!(history.status(&id(3)), Some(Status::InDoubt));
        assert_eq!(
            std::fs::read(&path).unwrap().len(),
            HEADER.len() + 3 * RECORD_LEN
        );
        // Anything but zeros after a zero is damage.
        let damaged = [&clean[..], b"S \0\0", &[0; 100], b"S"].concat();
        std::fs::write(&path, &damaged).unwrap();
        let err = Journal::open(&path).err().unwrap().to_string();
        assert!(err.contains("line 4: not a journal record"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), damaged);
    }

    #[test]
    fn a_torn_header_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, &HEADER[..5]).unwrap();
        record(&path, &[(Record::Intent, id(1))]);
        let (history, journal) = Journal::open(&path).unwrap();
        journal.finish().unwrap();
        assert_eq!(history.status(&id(1)), Some(Status::InDoubt));
    }

    #[test]
    fn other_files_and_damage_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "my notes\n").unwrap();
        let err = Journal::open(&path).err().unwrap().to_string();
        assert!(err.contains("not a kenar-chat journal"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes\n");

        let damaged = [HEADER, b"S nothex\nS 00\n"].concat();
        std::fs::write(&path, &damaged).unwrap();
        let err = Journal::open(&path).err().unwrap().to_string();
        assert!(err.contains("line 2: not a journal record"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), damaged);
    }
}
