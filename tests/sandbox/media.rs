//! Media on the sandbox (protocol section 5, "Media"): `send --image` and `--document`
//! through its upload-token and upload endpoints, the file kept byte for byte and served
//! back, and each refusal of the upload host and of the conversation endpoint.

use serde_json::{Value, json};

use super::current::DEMO_CONVERSATION;
use crate::common::sandbox::{Sandbox, png};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `send --conversation-id DEMO --{flag} PATH`, with the printed lines set.
fn send_medium(sandbox: &Sandbox, flag: &str, path: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = sandbox.kenar();
    cmd.args(["send", "--conversation-id", DEMO_CONVERSATION])
        .arg(format!("--{flag}"))
        .arg(path);
    cmd
}

/// The refusal's RPC code and message.
fn refusal(answer: &Value) -> (i64, &str) {
    (
        answer["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("{answer}")),
        answer["message"].as_str().unwrap(),
    )
}

#[test]
fn send_uploads_an_image_and_a_document_that_are_kept_and_served_byte_for_byte() {
    let sandbox = Sandbox::start(&[]);
    assert_eq!(sandbox.var("KENAR_UPLOAD_URL"), sandbox.url);
    let dir = tempfile::tempdir().unwrap();
    let image = png();
    send_medium(&sandbox, "image", &write(&dir, "a.png", &image))
        .assert()
        .success();
    let document = b"%PDF-1.4\n\0\x01\x02\r\n--x\r\n\xff".to_vec();
    send_medium(
        &sandbox,
        "document",
        &write(&dir, "فاکتور 1.pdf", &document),
    )
    .assert()
    .success();

    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    for (message, (kind, name, content_type, bytes)) in messages.iter().zip([
        ("image", "a.png", "image/png", &image),
        ("file", "فاکتور 1.pdf", "application/pdf", &document),
    ]) {
        assert_eq!(message["conversation_id"], DEMO_CONVERSATION);
        assert!(message.get("message").is_none(), "{message}");
        let media = &message["media"];
        assert_eq!(media["kind"], kind, "{message}");
        assert_eq!(media["file_name"], name);
        assert_eq!(media["content_type"], content_type);
        assert_eq!(media["size"], bytes.len());
        let url = media["url"].as_str().unwrap();
        let token = message["media_token"].as_str().unwrap();
        assert_eq!(url, format!("/media/{token}"));

        let (status, headers, served) = sandbox.get_bytes(url);
        assert_eq!(status, 200);
        assert_eq!(&served, bytes, "the {kind}'s bytes changed");
        assert_eq!(headers["content-type"], content_type);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let disposition = &headers["content-disposition"];
        if kind == "image" {
            assert!(disposition.starts_with("inline;"), "{disposition}");
        } else {
            assert!(disposition.starts_with("attachment;"), "{disposition}");
            assert!(
                disposition
                    .ends_with("filename*=UTF-8''%D9%81%D8%A7%DA%A9%D8%AA%D9%88%D8%B1%201.pdf"),
                "{disposition}"
            );
        }
    }

    // Both sides see both media: the image inline, the document as a link to save it.
    let (status, _, page) = sandbox.get("/");
    assert_eq!(status, 200);
    let image_url = messages[0]["media"]["url"].as_str().unwrap();
    let document_url = messages[1]["media"]["url"].as_str().unwrap();
    let img = format!("<img class=\"media\" src=\"{image_url}\" alt=\"a.png\">");
    let link = format!(
        "<a class=\"media\" href=\"{document_url}\" download=\"فاکتور 1.pdf\">فاکتور 1.pdf</a>"
    );
    assert_eq!(page.matches(&img).count(), 2, "{page}");
    assert_eq!(page.matches(&link).count(), 2, "{page}");
    assert!(!page.contains("(a media message"), "{page}");
    let (status, _, _) = sandbox.get_bytes("/media/never-issued");
    assert_eq!(status, 404);
}

#[test]
fn an_upload_token_needs_the_api_key_and_a_users_token() {
    let sandbox = Sandbox::start(&[]);
    let key = sandbox.var("KENAR_API_KEY");
    let bearer = format!("Bearer {}", sandbox.var("KENAR_ACCESS_TOKEN"));
    for (headers, expected) in [
        (
            vec![("authorization", bearer.as_str())],
            "missing x-api-key",
        ),
        (
            vec![("x-api-key", "wrong"), ("authorization", bearer.as_str())],
            "invalid API key",
        ),
        (vec![("x-api-key", key)], "missing Authorization header"),
        (
            vec![("x-api-key", key), ("authorization", "Bearer never-issued")],
            "invalid access token",
        ),
    ] {
        let (status, answer) = sandbox.ask_upload_token(&headers);
        assert_eq!(status, 401, "{answer}");
        let (code, message) = refusal(&answer);
        assert_eq!(code, 16);
        assert!(message.contains(expected), "{message}");
    }
    assert_ne!(sandbox.upload_token(), sandbox.upload_token());
}

#[test]
fn asking_for_an_upload_token_counts_against_the_quota() {
    let sandbox = Sandbox::start(&["--rate-limit", "1"]);
    sandbox.upload_token();
    let bearer = format!("Bearer {}", sandbox.var("KENAR_ACCESS_TOKEN"));
    let (status, answer) = sandbox.ask_upload_token(&[
        ("x-api-key", sandbox.var("KENAR_API_KEY")),
        ("authorization", &bearer),
    ]);
    assert_eq!(status, 429, "{answer}");
    assert_eq!(refusal(&answer).0, 8);
}

#[test]
fn an_upload_token_is_good_for_one_upload_of_a_file_that_fits_its_kind() {
    let sandbox = Sandbox::start(&[]);
    let image = png();

    let token = sandbox.upload_token();
    let (status, answer) = sandbox.upload("image", &token, "file", "a.png", &image);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["id"].as_str().is_some_and(|id| !id.is_empty()));
    let (status, answer) = sandbox.upload("image", &token, "file", "a.png", &image);
    assert_eq!(status, 401, "{answer}");
    let (code, message) = refusal(&answer);
    assert_eq!(code, 16);
    assert!(message.contains("used already"), "{message}");

    let (status, answer) = sandbox.upload("image", "never-issued", "file", "a.png", &image);
    assert_eq!(
        (status, refusal(&answer)),
        (401, (16, "invalid upload token"))
    );

    // A refused upload leaves its token good for another try.
    let token = sandbox.upload_token();
    for (kind, field, bytes, expected) in [
        (
            "video",
            "file",
            &image[..],
            (400, 3, "file: holds image/png (png), not a video"),
        ),
        (
            "image",
            "file",
            b"plain words".as_slice(),
            (400, 3, "file: is not an image"),
        ),
        ("image", "file", b"".as_slice(), (400, 3, "file: is empty")),
        ("image", "image", &image[..], (400, 3, "file: missing")),
        (
            "sticker",
            "file",
            &image[..],
            (404, 5, "no upload kind \"sticker\""),
        ),
    ] {
        let (status, answer) = sandbox.upload(kind, &token, field, "a.png", bytes);
        let (code, message) = refusal(&answer);
        assert_eq!(status, expected.0, "{answer}");
        assert_eq!(code, expected.1, "{answer}");
        assert!(message.starts_with(expected.2), "{message}");
    }
    let (status, answer) = sandbox.upload("image", &token, "file", "a.png", &image);
    assert_eq!(status, 200, "{answer}");
    assert!(sandbox.messages().is_empty(), "an upload sends nothing");
}

#[test]
fn each_kind_refuses_a_file_over_its_limit_while_reading_it() {
    let sandbox = Sandbox::start(&[]);
    for (kind, limit) in [
        ("image", 5_000_000),
        ("file", 5_000_000),
        ("voice", 1_500_000),
        ("video", 50_000_000),
    ] {
        let token = sandbox.upload_token();
        let mut bytes = png();
        bytes.resize(limit + 1, 0);
        let (status, answer) = sandbox.upload(kind, &token, "file", "big", &bytes);
        assert_eq!(status, 413, "{kind}: {answer}");
        let (code, message) = refusal(&answer);
        assert_eq!(code, 3);
        assert_eq!(
            message,
            format!("file: larger than Divar's limit of {limit} bytes for the {kind} kind")
        );
    }
    // A voice note of exactly its limit is taken.
    let token = sandbox.upload_token();
    let mut voice = b"OggS\0\x02".to_vec();
    voice.resize(1_500_000, 0);
    let (status, answer) = sandbox.upload("voice", &token, "file", "v.ogg", &voice);
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn a_media_token_the_sandbox_never_issued_is_refused_naming_it() {
    let sandbox = Sandbox::start(&[]);
    let (status, answer) = sandbox.send_current(
        DEMO_CONVERSATION,
        sandbox.var("KENAR_ACCESS_TOKEN"),
        &json!({"media_token": "never-issued"}),
    );
    assert_eq!(status, 400, "{answer}");
    let (code, message) = refusal(&answer);
    assert_eq!(code, 3);
    assert!(
        message.starts_with("media_token: not a media token this sandbox issued"),
        "{message}"
    );
    let output = sandbox
        .kenar()
        .args(["send", "--conversation-id", DEMO_CONVERSATION])
        .args(["--media-token", "never-issued"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("media_token: not a media token"), "{said}");
    assert!(sandbox.messages().is_empty());

    // One it issued may be sent again, as `send --media-token` does after a failed send.
    let token = sandbox.upload_token();
    let (_, answer) = sandbox.upload("image", &token, "file", "a.png", &png());
    let media_token = answer["id"].as_str().unwrap();
    for _ in 0..2 {
        sandbox
            .kenar()
            .args(["send", "--conversation-id", DEMO_CONVERSATION])
            .args(["--media-token", media_token])
            .assert()
            .success();
    }
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["media"]["file_name"], "a.png");
}
