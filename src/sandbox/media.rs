//! `GET /media/{media_token}`: an uploaded file as the chat view shows it, with the content
//! type the sandbox sniffed (never one a browser guesses), an image inline and any other
//! medium as a download under its original name.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::Sandbox;
use super::checks::Refusal;
use super::store::Medium;
use crate::message::media_kind::MediaKind;

/// What a file name may hold unencoded in `filename*` (RFC 8187's `attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// What a path segment may hold unencoded (RFC 3986's unreserved characters).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Where the medium kept under `token` is served.
pub(super) fn url(token: &str) -> String {
    format!("/media/{}", utf8_percent_encode(token, UNRESERVED))
}

pub(super) const PATH: &str = "/media/{media_token}";

pub(super) async fn serve(
    State(sandbox): State<Arc<Sandbox>>,
    Path(token): Path<String>,
) -> Result<Response, Refusal> {
    let Some((medium, content)) = sandbox.store.media_content(&token)? else {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "no medium with this media token",
        ));
    };
    let content_type = HeaderValue::from_str(&medium.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, content_disposition(&medium)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        // Whatever an upload holds, opened on its own it runs nothing in the sandbox's
        // origin, and no other site shows it in a frame.
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox; frame-ancestors 'none'"),
        ),
    ];
    Ok((headers, content).into_response())
}

/// An image is shown where it is; any other medium is saved under its name: as is where
/// it is plain ASCII, else percent-encoded in `filename*` (RFC 6266).
fn content_disposition(medium: &Medium) -> HeaderValue {
    let disposition = if medium.kind == MediaKind::Image {
        "inline"
    } else {
        "attachment"
    };
    let fallback: String = medium
        .file_name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let value = format!(
        "{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&medium.file_name, ATTR_CHAR)
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn medium(kind: MediaKind, file_name: &str) -> Medium {
        Medium {
            token: "m".into(),
            kind,
            file_name: file_name.into(),
            content_type: "application/pdf".into(),
            size: 1,
        }
    }

    #[test]
    fn a_download_keeps_its_name_escaped() {
        assert_eq!(
            content_disposition(&medium(MediaKind::File, "فاکتور \"1\".pdf")),
            "attachment; filename=\"______ _1_.pdf\"; \
             filename*=UTF-8''%D9%81%D8%A7%DA%A9%D8%AA%D9%88%D8%B1%20%221%22.pdf"
        );
        assert_eq!(
            content_disposition(&medium(MediaKind::Image, "a.png")),
            "inline; filename=\"a.png\"; filename*=UTF-8''a.png"
        );
    }
}
