//! Media uploads (protocol section 5, "Media"): the API's upload-token endpoint, and the
//! chat upload host's `POST /upload/{kind}`, which the sandbox serves too so that one URL
//! is both. An upload token is good for one upload within [`UPLOAD_TOKEN_LIFETIME`]; the
//! file travels as the multipart field `file`, within its kind's limit, and its content
//! must fit its kind by the same sniffing `send` checks a file with. The upload token is
//! checked before any of the body is read, and no more than [`AT_ONCE`] uploads are
//! received at once, so that uploads nobody may make cost nothing.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{MethodRouter, post};
use serde_json::json;

use super::checks::{Refusal, RpcRefusal, access_grant, bearer_token, check_api_key, take_quota};
use super::store::{NewMedium, UploadToken};
use super::{Sandbox, expiry, unix_time};
use crate::auth::authorize::random_state;
use crate::media::{FILE_FIELD, UPLOAD_PATH, UPLOAD_TOKEN_PATH};
use crate::message::media_kind::MediaKind;

/// How long an upload token can be used.
const UPLOAD_TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// What a multipart body may hold besides the file: its boundaries and part headers.
const FORM_OVERHEAD: usize = 64 * 1024;
/// How many uploads are received at once; another is refused (429) until one ends. Above
/// `send --batch`'s default concurrency, so that a batch of media is not refused.
pub(super) const AT_ONCE: usize = 8;

/// `POST /experimental/open-platform/chat/upload`: the key, the quota (asking for an upload
/// token is a call to the API, as a send is), the user's Bearer token; answers a fresh
/// upload token.
pub(super) async fn issue_token(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
) -> Result<Response, RpcRefusal> {
    check_api_key(&sandbox, &headers)?;
    take_quota(&sandbox)?;
    access_grant(&sandbox, bearer_token(&headers)?)?;
    let token = random_state()?;
    sandbox
        .store
        .insert_upload_token(&token, expiry(UPLOAD_TOKEN_LIFETIME))?;
    Ok(axum::Json(json!({ "token": token })).into_response())
}

/// The path of the upload-token endpoint.
pub(super) fn token_path() -> String {
    format!("/{UPLOAD_TOKEN_PATH}")
}

/// The upload route of `kind`, whose body may be no larger than the kind's limit and the
/// form around it: nothing larger is read.
pub(super) fn route(kind: MediaKind) -> (String, MethodRouter<Arc<Sandbox>>) {
    let limit = usize::try_from(kind.limit()).unwrap_or(usize::MAX);
    let handler = post(
        move |State(sandbox): State<Arc<Sandbox>>,
              headers: HeaderMap,
              form: Result<Multipart, MultipartRejection>| {
            receive(kind, sandbox, headers, form)
        },
    )
    .layer(DefaultBodyLimit::max(limit.saturating_add(FORM_OVERHEAD)));
    (format!("/{UPLOAD_PATH}{}", kind.name()), handler)
}

/// The path under which the kinds the sandbox does not know are answered.
pub(super) fn unknown_kind_path() -> String {
    format!("/{UPLOAD_PATH}{{kind}}")
}

/// `POST /upload/{kind}` for a kind that is none of Divar's; the body is read (within
/// axum's default limit) before the answer, as the known kinds' are.
pub(super) async fn unknown_kind(
    Path(kind): Path<String>,
    _body: Result<Bytes, BytesRejection>,
) -> RpcRefusal {
    let kinds: Vec<&str> = MediaKind::ALL.iter().map(|k| k.name()).collect();
    Refusal::new(
        StatusCode::NOT_FOUND,
        format!(
            "no upload kind {kind:?}: the kinds are {}",
            kinds.join(", ")
        ),
    )
    .into()
}

/// `POST /upload/{kind}`: room for one more upload, the upload token, then the file and its
/// content; keeps the file under a new media token and answers it as `{"id": MEDIA_TOKEN}`.
/// An upload whose token is refused is answered at once, and its body read past (within
/// the route's body limit, keeping nothing), so that a client still sending hears the
/// refusal rather than a reset connection.
async fn receive(
    kind: MediaKind,
    sandbox: Arc<Sandbox>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, RpcRefusal> {
    let Ok(receiving) = Arc::clone(&sandbox.uploads).try_acquire_owned() else {
        return Err(Refusal::too_many(
            format!("{AT_ONCE} uploads are being received already: retry when one has ended"),
            1,
        )
        .into());
    };
    let token = bearer_token(&headers)?;
    let checked = sandbox
        .store
        .upload_token(token, unix_time())
        .map_err(RpcRefusal::from)
        .and_then(|state| check_upload_token(state).map_err(RpcRefusal::from));
    if let Err(refusal) = checked {
        // Answered at once; the body is read past meanwhile, still counted as an upload.
        tokio::spawn(async move {
            drain(form).await;
            drop(receiving);
        });
        return Err(refusal);
    }
    let mut form = form.map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the body must be multipart/form-data with the file in field {FILE_FIELD:?}: {}",
                e.body_text()
            ),
        )
    })?;
    let file = read_file(kind, &mut form).await?;
    let content_type = kind.content_type(&file.content).map_err(|problem| {
        Refusal::new(StatusCode::BAD_REQUEST, format!("{FILE_FIELD}: {problem}"))
    })?;
    let file_name = file
        .name
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| kind.name().to_owned());
    let media_token = random_state()?;
    let medium = NewMedium {
        kind,
        file_name: &file_name,
        content_type: &content_type,
        content: &file.content,
    };
    // Spent only now, so that a refused upload leaves the token for another try, and
    // atomically, so that of two uploads racing with one token only one is kept.
    check_upload_token(sandbox.store.spend_upload_token(
        token,
        unix_time(),
        &media_token,
        &medium,
    )?)?;
    Ok(axum::Json(json!({ "id": media_token })).into_response())
}

/// Reads a refused upload's body to its end, keeping none of it.
async fn drain(form: Result<Multipart, MultipartRejection>) {
    let Ok(mut form) = form else { return };
    while let Ok(Some(mut field)) = form.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

fn check_upload_token(state: UploadToken) -> Result<(), Refusal> {
    let message = match state {
        UploadToken::Ready => return Ok(()),
        UploadToken::Unknown => "invalid upload token".to_owned(),
        UploadToken::Used => format!(
            "the upload token was used already: each upload needs a new one from \
             /{UPLOAD_TOKEN_PATH}"
        ),
        UploadToken::Expired => "the upload token has expired".to_owned(),
    };
    Err(Refusal::new(StatusCode::UNAUTHORIZED, message))
}

/// The file of a form, as received.
struct ReceivedFile {
    /// The name the form gave it.
    name: Option<String>,
    content: Vec<u8>,
}

/// Reads the form's one `file` field, keeping no more than the kind's limit; other fields
/// are read past. A file over the limit is still read to its end (the route's body limit
/// bounds it), so that the client hears the refusal.
async fn read_file(kind: MediaKind, form: &mut Multipart) -> Result<ReceivedFile, Refusal> {
    let unreadable = |error: MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(kind)
        } else {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("cannot read the multipart body: {}", error.body_text()),
            )
        }
    };
    let mut received: Option<(ReceivedFile, u64)> = None;
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        if field.name() != Some(FILE_FIELD) {
            continue;
        }
        if received.is_some() {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("more than one {FILE_FIELD:?} field: an upload carries one file"),
            ));
        }
        let name = field.file_name().map(str::to_owned);
        let mut content = Vec::new();
        let mut size = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            size = size.saturating_add(chunk.len() as u64);
            if size <= kind.limit() {
                content.extend_from_slice(&chunk);
            }
        }
        received = Some((ReceivedFile { name, content }, size));
    }
    match received {
        None => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("{FILE_FIELD}: missing: the form carries the file in field {FILE_FIELD:?}"),
        )),
        Some((_, size)) if size > kind.limit() => Err(too_large(kind)),
        Some((_, 0)) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("{FILE_FIELD}: is empty"),
        )),
        Some((file, _)) => Ok(file),
    }
}

fn too_large(kind: MediaKind) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "{FILE_FIELD}: larger than Divar's limit of {} bytes for the {kind} kind",
            kind.limit()
        ),
    )
}
