//! The reader thread: turns the input's lines into requests, or says why not, and hands
//! them to the batch in order, a chunk at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

use super::journal::{History, LineId, Status};
use super::lines::{self, LineReader, RawLine};
use super::tokens;
use crate::error::Error;
use crate::http::request::{Credentials, PreparedRequest};
use crate::input::MAX_INPUT_BYTES;
use crate::media::{MediaFile, UploadPlan, Uploaded};
use crate::platform::ApiBase;
use crate::scope::Recipient;
use crate::secret::SecretString;

/// Uploads a media line's file (the line's number, the plan, its credentials) and returns
/// the media token.
pub(super) type Uploader =
    Box<dyn FnMut(u64, &UploadPlan, &Credentials) -> Result<Uploaded, Error> + Send>;

/// Lines handed over at most at once: waking the batch for every line would cost more than
/// preparing it.
pub(super) const CHUNK: usize = 32;

/// What the reader thread hands over, in input order.
pub(super) enum Item {
    Send(Box<Job>),
    Skipped {
        line: u64,
        status: Status,
    },
    Invalid {
        line: u64,
        error: Error,
    },
    /// Its file could not be uploaded: nothing was sent for it.
    Failed {
        line: u64,
        error: Error,
    },
    /// Read after the batch began to stop, so not prepared (its file not uploaded).
    Held,
    /// The input cannot be read further.
    Unreadable(String),
}

/// A line ready to send.
pub(super) struct Job {
    pub line: u64,
    pub id: LineId,
    /// Whether the line goes with the batch's default access token, which every such line
    /// shares: a refusal of it is a refusal of them all.
    pub shared_token: bool,
    pub request: PreparedRequest,
    /// Whom the message goes to.
    pub to: Recipient,
    /// Whether the request carries the stored token for `to`, looked up as it leaves.
    pub stored_token: bool,
    /// The upload whose media token the request carries, for a media line.
    pub uploaded: Option<Uploaded>,
}

/// The reader thread's side: turns lines into requests, or says why not.
pub(super) struct Prepare {
    /// Where the messages of each platform go.
    pub api: ApiBase,
    pub api_key: SecretString,
    pub access_token: Option<SecretString>,
    /// The profile's stored tokens, for lines that carry no token when no default is given.
    pub tokens: Option<tokens::Shared>,
    pub history: History,
    pub resend_in_doubt: bool,
    /// Where media files are uploaded, and how.
    pub upload_host: Url,
    pub timeout: Duration,
    pub uploader: Uploader,
    /// Set once the batch stops: no file is uploaded after that.
    pub stopping: Arc<AtomicBool>,
    /// Whether the lines left when the batch stops are counted (a regular file) or left
    /// unread (a pipe, whose rest may never come).
    pub countable: bool,
}

/// The input left when the batch stopped taking lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rest {
    /// This many lines (not blank) were left: read and prepared but not taken, or never
    /// read.
    Counted(u64),
    /// The rest was not read.
    NotRead,
}

/// Whether an item stands for a line of the input in the summary's count.
fn is_line(item: &Item) -> bool {
    !matches!(item, Item::Unreadable(_))
}

impl Prepare {
    /// Hands every line over in order, in chunks of up to [`CHUNK`]. A chunk goes once it
    /// is full or the input has nothing more buffered, so that a slow producer on standard
    /// input delays no line, while a file costs one hand-over per chunk. Once the batch
    /// takes no more, says what was left.
    pub(super) fn read_all(
        mut self,
        input: Box<dyn std::io::BufRead + Send>,
        chunks: &mpsc::Sender<Vec<Item>>,
        runtime: &tokio::runtime::Handle,
    ) -> Rest {
        let mut reader = LineReader::new(input);
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut ended = false;
            while chunk.len() < CHUNK && !ended {
                match self.next_item(&mut reader) {
                    Some(item) => {
                        ended = matches!(item, Item::Unreadable(_));
                        chunk.push(item);
                    }
                    None => ended = true,
                }
                if reader.may_wait() {
                    break;
                }
            }
            // An error means the batch stopped early and needs no more lines.
            if !chunk.is_empty()
                && let Err(refused) = runtime.block_on(chunks.send(chunk))
            {
                let taken = refused.0.iter().filter(|item| is_line(item)).count() as u64;
                return match (ended, self.countable) {
                    (true, _) => Rest::Counted(taken),
                    (false, true) => reader
                        .count_rest()
                        .map_or(Rest::NotRead, |rest| Rest::Counted(taken + rest)),
                    (false, false) => Rest::NotRead,
                };
            }
            if ended {
                return Rest::Counted(0);
            }
        }
    }

    /// The next line that is not blank, as an item; `None` at the end of the input.
    fn next_item(
        &mut self,
        reader: &mut LineReader<Box<dyn std::io::BufRead + Send>>,
    ) -> Option<Item> {
        loop {
            return Some(match reader.next_line() {
                Ok(None) => return None,
                Err(e) => Item::Unreadable(format!("cannot read the input: {e}")),
                Ok(Some((line, RawLine::TooLong))) => Item::Invalid {
                    line,
                    error: Error::invalid(format!("longer than {MAX_INPUT_BYTES} bytes")),
                },
                Ok(Some((_, RawLine::Text(text)))) if lines::is_blank(&text) => continue,
                Ok(Some((line, RawLine::Text(text)))) => self.prepare(line, &text),
            });
        }
    }

    fn prepare(&mut self, line: u64, text: &[u8]) -> Item {
        let parsed = match lines::parse(text) {
            Ok(parsed) => parsed,
            Err(error) => return Item::Invalid { line, error },
        };
        let shared_token = parsed.access_token.is_none() && self.access_token.is_some();
        // A stored token is looked up again as the request leaves, in case it is due by then.
        let stored_token = parsed.access_token.is_none() && self.access_token.is_none();
        let access_token = match parsed.access_token.or_else(|| self.access_token.clone()) {
            Some(token) => Ok(token),
            None => match self.tokens.as_ref().map(|tokens| tokens.lock()) {
                Some(Ok(mut source)) => tokens::token_for(&mut source, &parsed.message.recipient()),
                Some(Err(_)) => Err(Error::Unavailable(
                    "the stored tokens are unavailable".into(),
                )),
                None => Err(Error::invalid(format!(
                    "{}: missing, and no default access token was given",
                    lines::ACCESS_TOKEN_FIELD
                ))),
            },
        };
        let access_token = match access_token {
            Ok(token) => token,
            Err(error) if error.is_invalid() => return Item::Invalid { line, error },
            Err(error) => return Item::Failed { line, error },
        };
        let credentials = Credentials {
            api_key: self.api_key.clone(),
            access_token,
        };
        let base = self.api.url(parsed.message.platform());
        let mut identity = parsed.message.identity();
        let upload = match parsed.message.upload() {
            Some((kind, path)) => match MediaFile::open(kind, path) {
                // An edited file is another message.
                Ok(file) => {
                    identity.extend_from_slice(&file.sha256);
                    Some(UploadPlan {
                        file,
                        api: base.clone(),
                        upload_host: self.upload_host.clone(),
                        timeout: self.timeout,
                    })
                }
                Err(error) => return Item::Invalid { line, error },
            },
            None => None,
        };
        let id = LineId::of(&identity);
        match self.history.status(&id) {
            Some(Status::Sent) => Item::Skipped {
                line,
                status: Status::Sent,
            },
            Some(Status::InDoubt) if !self.resend_in_doubt => Item::Skipped {
                line,
                status: Status::InDoubt,
            },
            _ => {
                let uploaded = match &upload {
                    Some(_) if self.stopping.load(Ordering::Relaxed) => return Item::Held,
                    Some(plan) => match (self.uploader)(line, plan, &credentials) {
                        Ok(uploaded) => Some(uploaded),
                        Err(error) => return Item::Failed { line, error },
                    },
                    None => None,
                };
                let request = match &uploaded {
                    Some(uploaded) => uploaded.send_request(&base, &parsed.message, &credentials),
                    None => PreparedRequest::send_message(&base, &parsed.message, &credentials),
                };
                Item::Send(Box::new(Job {
                    line,
                    id,
                    shared_token,
                    request,
                    to: parsed.message.recipient(),
                    stored_token,
                    uploaded,
                }))
            }
        }
    }
}
