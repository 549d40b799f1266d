//! Media messages of the current platform (protocol section 5, "Media"): a picture, a
//! file, a voice note or a video goes as a media token, which two calls get: an upload
//! token from the API, then the upload itself to Divar's chat upload host.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::error::{Error, Result};
use crate::http;
use crate::http::answer::{Answer, check_answer};
use crate::http::client::ApiClient;
use crate::http::request::{Credentials, HeaderValue, PreparedRequest, Progress, Upload};
use crate::http::retry::{self, RetryPolicy};
use crate::message::Message;
use crate::message::media_kind::{MediaKind, SNIFF_BYTES};
use crate::secret::SecretString;

/// Where upload tokens are asked for, relative to the API base URL.
pub const UPLOAD_TOKEN_PATH: &str = "experimental/open-platform/chat/upload";
/// Divar's chat upload host.
pub const DEFAULT_UPLOAD_URL: &str = "https://chat.divar.ir";
/// Where files are uploaded, relative to the upload host: this, then the kind.
pub const UPLOAD_PATH: &str = "upload/";
/// The multipart field the file travels in.
pub const FILE_FIELD: &str = "file";
/// The slowest upload speed the upload's own timeout allows for, in bytes a second.
const SLOWEST_UPLOAD: u64 = 256 * 1024;

/// A file checked for upload: a regular file within its kind's limit whose content fits
/// the kind, with the hash that identifies it in a batch's journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub kind: MediaKind,
    pub path: PathBuf,
    pub size: u64,
    pub content_type: String,
    pub sha256: [u8; 32],
}

impl MediaFile {
    /// Checks `path` for `kind`, reading it once (streamed, never whole into memory).
    /// Errors name the file and what is wrong with it.
    pub fn open(kind: MediaKind, path: &Path) -> Result<Self> {
        let name = path.display();
        let problem = |what: String| Error::invalid(format!("{}: {name}: {what}", kind.field()));
        let metadata = std::fs::metadata(path).map_err(|e| problem(format!("cannot open: {e}")))?;
        if !metadata.is_file() {
            return Err(problem("not a regular file".to_owned()));
        }
        let size = metadata.len();
        if size == 0 {
            return Err(problem("is empty".to_owned()));
        }
        if size > kind.limit() {
            return Err(problem(format!(
                "is {size} bytes, over Divar's limit of {} bytes for {}",
                kind.limit(),
                kind.described()
                    .trim_start_matches("an ")
                    .trim_start_matches("a ")
            )));
        }
        let mut file =
            std::fs::File::open(path).map_err(|e| problem(format!("cannot open: {e}")))?;
        let mut hasher = Sha256::new();
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let mut buffer = vec![0; 64 * 1024];
        let mut read = 0u64;
        loop {
            let n = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(problem(format!("cannot read: {e}"))),
            };
            let chunk = &buffer[..n];
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(n);
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(chunk);
            read += n as u64;
        }
        if read != size {
            return Err(problem("changed while it was read".to_owned()));
        }
        let content_type = kind.content_type(&head).map_err(problem)?;
        Ok(MediaFile {
            kind,
            path: path.to_owned(),
            size,
            content_type,
            sha256: hasher.finalize().into(),
        })
    }

    /// How long the upload may take: `timeout`, plus a second for every 256 KiB.
    pub fn upload_timeout(&self, timeout: Duration) -> Duration {
        timeout + Duration::from_secs(self.size.div_ceil(SLOWEST_UPLOAD))
    }
}

/// Where a checked file goes, and how long its upload may take.
#[derive(Debug, Clone)]
pub struct UploadPlan {
    pub file: MediaFile,
    /// The API's base URL, where the upload token is asked for.
    pub api: Url,
    /// The upload host's base URL.
    pub upload_host: Url,
    /// The client's timeout, which the upload's own grows from.
    pub timeout: Duration,
}

impl UploadPlan {
    /// The two requests as a dry run shows them, the upload token not known yet.
    pub fn requests(&self, credentials: &Credentials) -> [PreparedRequest; 2] {
        [
            upload_token_request(&self.api, credentials),
            self.upload_request(SecretString::new(PENDING_UPLOAD_TOKEN)),
        ]
    }

    fn upload_request(&self, upload_token: SecretString) -> PreparedRequest {
        upload_request(&self.upload_host, &self.file, upload_token, self.timeout)
    }

    /// Asks for an upload token, then uploads the file with it, each under `policy`.
    /// Nothing is sent to the conversation: a failure here leaves nothing delivered.
    pub async fn upload(
        &self,
        client: &ApiClient,
        policy: &RetryPolicy,
        credentials: &Credentials,
        progress: &Progress,
        mut report: impl FnMut(retry::Event<'_>),
    ) -> Result<Uploaded> {
        let request = upload_token_request(&self.api, credentials);
        let answer = retry::execute_with_retries(client, &request, policy, &mut report)
            .await
            .map_err(|e| in_step("asking for an upload token", e))?;
        let upload_token =
            read_upload_token(&answer).map_err(|e| in_step("asking for an upload token", e))?;
        let request = self.upload_request(upload_token.clone());
        let answer = retry::upload_with_retries(client, &request, policy, progress, &mut report)
            .await
            .map_err(|e| in_step("uploading the file", e))?;
        let media_token =
            read_media_token(&answer).map_err(|e| in_step("uploading the file", e))?;
        Ok(Uploaded {
            media_token,
            upload_token,
        })
    }
}

/// What an upload gave.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub media_token: String,
    /// Spent, but still a secret: masked in the answers to the message that follows.
    pub upload_token: SecretString,
}

impl Uploaded {
    /// The request that sends `message` with this upload's media token.
    pub fn send_request(
        &self,
        base: &Url,
        message: &Message,
        credentials: &Credentials,
    ) -> PreparedRequest {
        let message = message.clone().uploaded(self.media_token.clone());
        let mut request = PreparedRequest::send_message(base, &message, credentials);
        request.body_secrets.push(self.upload_token.clone());
        request
    }

    /// `error`, from sending the message, with what to do with the media token.
    pub fn failed(&self, error: Error) -> Error {
        Error::Uploaded {
            error: Box::new(error),
            media_token: self.media_token.clone(),
            advice: None,
        }
    }
}

/// What a dry run shows in place of the upload token.
const PENDING_UPLOAD_TOKEN: &str = "(the upload token the first request answers with)";

/// An error of one upload step, saying which step and that nothing was sent.
fn in_step(step: &str, error: Error) -> Error {
    match error {
        Error::Refused { status, message } => Error::Refused {
            status,
            message: format!("{message} ({step}; nothing was sent to the conversation)"),
        },
        Error::NotSent(m) => Error::NotSent(format!("{step}: {m}")),
        Error::DeliveryUncertain(m) => {
            Error::Unavailable(format!("{step}: {m}; nothing was sent to the conversation"))
        }
        Error::Redirected(m) => {
            Error::Unavailable(format!("{step}: {m}; nothing was sent to the conversation"))
        }
        Error::Unavailable(m) => Error::Unavailable(format!("{step}: {m}")),
        other => other,
    }
}

/// `POST /experimental/open-platform/chat/upload` with the app's key and the user's
/// token: answers an upload token for one upload.
pub fn upload_token_request(base: &Url, credentials: &Credentials) -> PreparedRequest {
    PreparedRequest::api_post(
        http::url::join(base, UPLOAD_TOKEN_PATH),
        &credentials.api_key,
        (
            "authorization",
            HeaderValue::Bearer(credentials.access_token.clone()),
        ),
        b"{}".to_vec(),
    )
}

/// Reads the upload token from `{"token": ...}`; it is a secret like the others.
pub fn read_upload_token(answer: &Answer) -> Result<SecretString> {
    let token = answer_field(answer, "token", "the upload-token call")?;
    let token = SecretString::new(token);
    token
        .check_header_safe("the upload token")
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    Ok(token)
}

/// `POST {upload host}/upload/{kind}`: the file as the multipart field `file`, with the
/// upload token as a Bearer token; `timeout` is the upload's own.
pub fn upload_request(
    upload_base: &Url,
    file: &MediaFile,
    upload_token: SecretString,
    timeout: Duration,
) -> PreparedRequest {
    let url = http::url::join(upload_base, &format!("{UPLOAD_PATH}{}", file.kind.name()));
    PreparedRequest {
        method: "POST",
        url,
        service: "Divar's upload host",
        headers: vec![("authorization", HeaderValue::Bearer(upload_token))],
        body: Vec::new(),
        body_secrets: Vec::new(),
        upload: Some(Box::new(Upload {
            field: FILE_FIELD,
            path: file.path.clone(),
            file_name: file.path.file_name().map_or_else(
                || file.kind.name().to_owned(),
                |n| n.to_string_lossy().into_owned(),
            ),
            content_type: file.content_type.clone(),
            size: file.size,
            sha256: file.sha256,
            timeout: file.upload_timeout(timeout),
        })),
    }
}

/// Reads the media token from the upload's `{"id": ...}`.
pub fn read_media_token(answer: &Answer) -> Result<String> {
    answer_field(answer, "id", "the upload")
}

/// The non-empty string field `name` of a successful answer; `what` names the call.
fn answer_field(answer: &Answer, name: &str, what: &str) -> Result<String> {
    let body = check_answer(answer)?;
    match body.get(name) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
        _ => Err(Error::Unavailable(format!(
            "{what} answered HTTP {} without a {name:?} string",
            answer.status
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::answer::answer;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_file_is_checked_for_its_kind_size_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let png = write(dir.path(), "a.png", PNG);
        let file = MediaFile::open(MediaKind::Image, &png).unwrap();
        assert_eq!(file.content_type, "image/png");
        assert_eq!(file.size, PNG.len() as u64);
        assert_eq!(file.sha256, <[u8; 32]>::from(Sha256::digest(PNG)));
        // Anything goes as a file; an unknown format as octet-stream.
        let text = write(dir.path(), "notes.txt", b"plain words");
        let as_file = MediaFile::open(MediaKind::File, &text).unwrap();
        assert_eq!(as_file.content_type, "application/octet-stream");
        for (kind, path, expected) in [
            (MediaKind::Image, text.clone(), "image: "),
            (
                MediaKind::Video,
                png.clone(),
                "holds image/png (png), not a video",
            ),
            (MediaKind::Voice, png.clone(), "not a voice recording"),
            (
                MediaKind::Image,
                dir.path().to_owned(),
                "not a regular file",
            ),
            (
                MediaKind::Image,
                dir.path().join("missing.png"),
                "cannot open",
            ),
            (
                MediaKind::Image,
                write(dir.path(), "empty.png", b""),
                "is empty",
            ),
        ] {
            let err = MediaFile::open(kind, &path).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
        let ogg = write(dir.path(), "v.ogg", b"OggS\0\x02\0\0\0\0\0\0\0\0");
        assert!(MediaFile::open(MediaKind::Voice, &ogg).is_ok());
    }

    #[test]
    fn each_kind_has_divars_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut big = PNG.to_vec();
        big.resize(5_000_001, 0);
        let path = write(dir.path(), "big.png", &big);
        let err = MediaFile::open(MediaKind::Image, &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is 5000001 bytes, over Divar's limit of 5000000 bytes for image"),
            "{err}"
        );
        assert_eq!(MediaKind::Voice.limit(), 1_500_000);
        assert_eq!(MediaKind::Video.limit(), 50_000_000);
    }

    #[test]
    fn the_uploads_timeout_grows_with_the_file() {
        let file = MediaFile {
            kind: MediaKind::Video,
            path: "v.mp4".into(),
            size: 40 * 1024 * 1024,
            content_type: "video/mp4".into(),
            sha256: [0; 32],
        };
        assert_eq!(
            file.upload_timeout(Duration::from_secs(30)),
            Duration::from_secs(30 + 160)
        );
    }

    #[test]
    fn tokens_are_read_from_the_answers() {
        let token = read_upload_token(&answer(200, r#"{"token":"up-1"}"#)).unwrap();
        assert_eq!(token.expose(), "up-1");
        assert_eq!(
            read_media_token(&answer(200, r#"{"id":"media-2"}"#)).unwrap(),
            "media-2"
        );
        let err = read_media_token(&answer(200, r#"{"id":""}"#)).unwrap_err();
        assert_eq!(err.exit_code(), 5);
        assert!(read_upload_token(&answer(200, r#"{"token":"a b"}"#)).is_err());
        assert_eq!(
            read_upload_token(&answer(403, r#"{"code":7,"message":"no"}"#))
                .unwrap_err()
                .exit_code(),
            3
        );
    }
}
