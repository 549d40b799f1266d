//! `kenar-chat send --image/--video/--voice/--document`: the upload token, the multipart
//! upload and the send, exactly as a local server received them.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{ACCESS_TOKEN, API_KEY, CONVERSATION, Recorded, Reply, TestServer, assert_no_secret};
use serde_json::{Value, json};

const UPLOAD_TOKEN: &str = "upload-token-77c1d0";
const MEDIA_TOKEN: &str = "media-token-5e0a93";
const TOKEN_PATH: &str = "/experimental/open-platform/chat/upload";

/// A PNG header, then bytes that include NULs, CR LF and a would-be boundary.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    bytes.extend_from_slice(b"\0\0\r\n--boundary\r\n\xff\xfe\0");
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A stand-in for both Divar hosts: upload tokens, uploads and sends, each answered as
/// `send` says for the send.
fn divar(send: impl Fn() -> Reply + Send + Sync + 'static) -> TestServer {
    TestServer::start(move |_, request| {
        if request.path == TOKEN_PATH {
            Reply::json(200, &format!(r#"{{"token":"{UPLOAD_TOKEN}"}}"#))
        } else if request.path.starts_with("/upload/") {
            Reply::json(200, &format!(r#"{{"id":"{MEDIA_TOKEN}"}}"#))
        } else {
            send()
        }
    })
}

/// kenar-chat with the test credentials, `server` standing in for the API and the upload
/// host both.
fn against(server: &TestServer) -> std::process::Command {
    let mut cmd = common::kenar_process();
    cmd.env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .env("KENAR_API_URL", server.url())
        .env("KENAR_UPLOAD_URL", server.url());
    cmd
}

fn media_send(server: &TestServer) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(against(server));
    cmd.args(["send", "--conversation-id", CONVERSATION]);
    cmd
}

/// The one part of a multipart body: its headers (lower-cased names) and its bytes.
fn only_part(request: &Recorded) -> (Vec<(String, String)>, Vec<u8>) {
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let body = &request.body;
    let opening = format!("--{boundary}\r\n");
    let closing = format!("\r\n--{boundary}--\r\n");
    assert!(body.starts_with(opening.as_bytes()), "no opening boundary");
    assert!(body.ends_with(closing.as_bytes()), "no closing boundary");
    let inner = &body[opening.len()..body.len() - closing.len()];
    let split = inner
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("part headers end");
    let headers = String::from_utf8(inner[..split].to_vec())
        .unwrap()
        .split("\r\n")
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    (headers, inner[split + 4..].to_vec())
}

#[test]
fn an_image_goes_as_three_requests_each_exactly_as_documented() {
    let server = divar(Reply::success);
    let dir = tempfile::tempdir().unwrap();
    let bytes = png();
    let image = write(dir.path(), "receipt.png", &bytes);
    let output = media_send(&server)
        .arg("--image")
        .arg(&image)
        .args([
            "--receiver-button",
            "Track it|LOCAL_SHIPPING|https://shop.example/t",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_no_secret(&output, &[API_KEY, ACCESS_TOKEN, UPLOAD_TOKEN]);
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");

    let token = &requests[0];
    assert_eq!(
        (token.method.as_str(), token.path.as_str()),
        ("POST", TOKEN_PATH)
    );
    assert_eq!(token.header("x-api-key"), Some(API_KEY));
    assert_eq!(
        token.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );

    let upload = &requests[1];
    assert_eq!(
        (upload.method.as_str(), upload.path.as_str()),
        ("POST", "/upload/image")
    );
    assert_eq!(
        upload.header("authorization"),
        Some(format!("Bearer {UPLOAD_TOKEN}").as_str())
    );
    assert_eq!(
        upload.header("x-api-key"),
        None,
        "the API key went to the upload host"
    );
    let (headers, sent) = only_part(upload);
    assert_eq!(
        headers,
        vec![
            (
                "content-disposition".to_owned(),
                r#"form-data; name="file"; filename="receipt.png""#.to_owned()
            ),
            ("content-type".to_owned(), "image/png".to_owned()),
        ]
    );
    assert_eq!(sent, bytes, "the file's bytes changed on the way");

    let send = &requests[2];
    assert_eq!(
        send.path,
        format!("/v2/open-platform/conversations/{CONVERSATION}/messages")
    );
    assert_eq!(
        send.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        String::from_utf8(send.body.clone()).unwrap(),
        json!({
            "media_token": MEDIA_TOKEN,
            "receiver_buttons": {"rows": [{"buttons": [
                {"action": {"open_direct_link": "https://shop.example/t"}, "icon": "LOCAL_SHIPPING", "caption": "Track it"}
            ]}]}
        })
        .to_string()
    );
}

#[test]
fn each_kind_uploads_to_its_own_path() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, name, bytes, path, content_type) in [
        (
            "--video",
            "clip.mp4",
            b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec(),
            "/upload/video",
            "video/mp4",
        ),
        (
            "--voice",
            "note.ogg",
            b"OggS\0\x02\0\0\0\0\0\0\0\0\x01\x02".to_vec(),
            "/upload/voice",
            "audio/ogg",
        ),
        (
            "--document",
            "terms.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            "/upload/file",
            "application/pdf",
        ),
        (
            "--document",
            "notes.txt",
            b"plain text".to_vec(),
            "/upload/file",
            "application/octet-stream",
        ),
    ] {
        let server = divar(Reply::success);
        let file = write(dir.path(), name, &bytes);
        media_send(&server).arg(flag).arg(&file).assert().success();
        let requests = server.requests();
        assert_eq!(requests[1].path, path, "{flag} {name}");
        let (headers, sent) = only_part(&requests[1]);
        assert_eq!(headers[1].1, content_type, "{flag} {name}");
        assert_eq!(sent, bytes);
        assert_eq!(requests[2].json(), json!({"media_token": MEDIA_TOKEN}));
    }
}

/// A send that must be refused before any request, with its stderr.
fn refused(args: &[&std::ffi::OsStr]) -> String {
    let server = divar(Reply::success);
    let output = media_send(&server).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(server.requests().is_empty(), "something was sent");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn every_refusal_comes_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "a.png", &png());
    let text = write(dir.path(), "a.txt", b"not a picture");
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(5_000_001, 0);
    let big = write(dir.path(), "big.png", &big);
    let mut long_voice = b"OggS".to_vec();
    long_voice.resize(1_500_001, 0);
    let long_voice = write(dir.path(), "long.ogg", &long_voice);
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    for (args, expected) in [
        (vec![os("--image"), text.as_os_str()], format!("image: {}: is not an image", text.display())),
        (vec![os("--video"), png.as_os_str()], "holds image/png (png), not a video".to_owned()),
        (vec![os("--image"), big.as_os_str()], "is 5000001 bytes, over Divar's limit of 5000000 bytes for image".to_owned()),
        (vec![os("--voice"), long_voice.as_os_str()], "over Divar's limit of 1500000 bytes".to_owned()),
        (vec![os("--image"), dir.path().as_os_str()], "not a regular file".to_owned()),
        (vec![os("--image"), os("/nonexistent/a.png")], "/nonexistent/a.png: cannot open".to_owned()),
        (
            vec![os("--image"), png.as_os_str(), os("--message"), os("hi")],
            "message, image: a message carries text or a medium, not both, as the API refuses them together".to_owned(),
        ),
        (
            vec![os("--image"), png.as_os_str(), os("--voice"), long_voice.as_os_str()],
            "image, voice: a message carries one medium".to_owned(),
        ),
        (
            vec![os("--media-token"), os("m"), os("--document"), text.as_os_str()],
            "media_token, document: a message carries one medium".to_owned(),
        ),
        (
            vec![os("--image"), png.as_os_str(), os("--upload-url"), os("http://uploads.example")],
            "--upload-url: \"http://uploads.example/\" must be an https URL".to_owned(),
        ),
    ] {
        let stderr = refused(&args);
        assert!(stderr.contains(&expected), "expected {expected:?} in {stderr}");
    }
    // A legacy chat takes no media.
    let server = divar(Reply::success);
    let output = common::with_credentials()
        .env("KENAR_API_URL", server.url())
        .arg("send")
        .args(common::CHAT_IDS)
        .arg("--image")
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("image: media messages are the current platform's")
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_failed_upload_sends_nothing_to_the_conversation() {
    let server = TestServer::start(|_, request| {
        if request.path == TOKEN_PATH {
            Reply::json(200, &format!(r#"{{"token":"{UPLOAD_TOKEN}"}}"#))
        } else if request.path.starts_with("/upload/") {
            Reply::json(
                413,
                &format!(r#"{{"message":"too large for {UPLOAD_TOKEN}"}}"#),
            )
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    let output = media_send(&server)
        .arg("--image")
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("uploading the file; nothing was sent to the conversation"),
        "{stderr}"
    );
    assert_no_secret(&output, &[UPLOAD_TOKEN, ACCESS_TOKEN]);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, [TOKEN_PATH, "/upload/image"]);
}

#[test]
fn a_send_that_fails_after_the_upload_reports_the_media_token_for_a_resend() {
    let server = divar(|| Reply::json(503, r#"{"code":14,"message":"unavailable"}"#));
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    let output = media_send(&server)
        .arg("--image")
        .arg(&image)
        .args(["--retries", "2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The advice follows the error, and does not invite a duplicate.
    assert!(
        stderr.contains(&format!(
            "delivery is uncertain: the request may have been acted on\n  the file was uploaded as \
             media token {MEDIA_TOKEN}: if the message did not arrive, send it with --media-token \
             {MEDIA_TOKEN} rather than upload the file again"
        )),
        "{stderr}"
    );
    // The send that may have arrived is not repeated.
    assert_eq!(server.requests().len(), 3);

    // A refusal says to send it again; the recipient's restriction does not.
    for (reply, expected) in [
        (
            r#"{"code":3,"message":"bad"}"#,
            format!("send the message again with --media-token {MEDIA_TOKEN}, without uploading"),
        ),
        (
            r#"{"code":9,"message":"restricted"}"#,
            format!(
                "sending again will not help\n  the file was uploaded as media token {MEDIA_TOKEN}\n"
            ),
        ),
    ] {
        let status = if reply.contains("\"code\":9") {
            412
        } else {
            400
        };
        let server = divar(move || Reply::json(status, reply));
        let output = media_send(&server)
            .arg("--image")
            .arg(&image)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.ends_with(&expected) || stderr.contains(&expected),
            "{stderr}"
        );
    }

    // The upload token is masked in the send's answer too.
    let echo = format!(r#"{{"message":"echo {UPLOAD_TOKEN}"}}"#);
    let server = divar(move || Reply::json(400, &echo));
    let output = media_send(&server)
        .arg("--image")
        .arg(&image)
        .output()
        .unwrap();
    assert_no_secret(&output, &[UPLOAD_TOKEN]);

    let server = divar(Reply::success);
    media_send(&server)
        .args(["--media-token", MEDIA_TOKEN])
        .assert()
        .success();
    let request = server.only_request();
    assert_eq!(request.json(), json!({"media_token": MEDIA_TOKEN}));
}

#[test]
fn a_dry_run_shows_the_three_requests_with_size_and_type_instead_of_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    let output = common::with_credentials()
        .args(["send", "--dry-run", "--conversation-id", "c-1", "--image"])
        .arg(&image)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_no_secret(&output, &[API_KEY, ACCESS_TOKEN]);
    let size = png().len();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!(
            "POST https://open-api.divar.ir/experimental/open-platform/chat/upload\n\
             content-type: application/json\n\
             x-api-key: ***\n\
             authorization: Bearer ***\n\
             \n\
             {{}}\n\
             \n\
             POST https://chat.divar.ir/upload/image\n\
             authorization: Bearer ***\n\
             \n\
             multipart/form-data: field \"file\", file {} ({size} bytes, image/png)\n\
             \n\
             POST https://open-api.divar.ir/v2/open-platform/conversations/c-1/messages\n\
             content-type: application/json\n\
             x-api-key: ***\n\
             authorization: Bearer ***\n\
             \n\
             {{\"media_token\":\"(the media token the upload answers with)\"}}\n",
            image.display()
        )
    );
    let output = common::with_credentials()
        .args([
            "send",
            "--dry-run",
            "-o",
            "json",
            "--conversation-id",
            "c-1",
            "--image",
        ])
        .arg(&image)
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown.as_array().unwrap().len(), 3);
    assert_eq!(shown[1]["body"]["multipart"]["bytes"], size);
    assert_eq!(shown[1]["body"]["multipart"]["content_type"], "image/png");
}

/// The peak resident memory of process `pid`, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_40_mb_video_is_streamed_with_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut video = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    video.extend((0..40_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let path = write(dir.path(), "big.mp4", &video);
    // The server holds its answer to the upload until the sender's peak is read, so that
    // the peak covers the whole upload.
    let gate: Arc<Mutex<Option<std::sync::mpsc::Receiver<()>>>> = Arc::new(Mutex::new(None));
    let (open, wait) = std::sync::mpsc::channel();
    *gate.lock().unwrap() = Some(wait);
    let (uploaded, received) = std::sync::mpsc::channel();
    let uploaded = Mutex::new(uploaded);
    let held = Arc::clone(&gate);
    let server = TestServer::start(move |_, request| {
        if request.path == TOKEN_PATH {
            Reply::json(200, &format!(r#"{{"token":"{UPLOAD_TOKEN}"}}"#))
        } else if request.path.starts_with("/upload/") {
            let _ = uploaded.lock().unwrap().send(request.body.len());
            if let Some(wait) = held.lock().unwrap().take() {
                let _ = wait.recv_timeout(Duration::from_secs(60));
            }
            Reply::json(200, &format!(r#"{{"id":"{MEDIA_TOKEN}"}}"#))
        } else {
            Reply::success()
        }
    });
    let mut child = against(&server)
        .args(["send", "--conversation-id", CONVERSATION, "--video"])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let body = received.recv_timeout(Duration::from_secs(120)).unwrap();
    assert!(body > 40_000_000, "{body}");
    let peak = peak_kib(child.id());
    open.send(()).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        peak < 40 * 1024,
        "peak {peak} KiB while uploading a 40 MB file"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_batch_line_may_carry_a_file_and_the_journal_knows_it_by_its_content() {
    let server = divar(Reply::success);
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    let broken = write(dir.path(), "b.png", b"not a picture");
    let file = dir.path().join("batch.jsonl");
    let journal = dir.path().join("batch.journal");
    let lines = [
        json!({"conversation_id": CONVERSATION, "image": image}),
        json!({"conversation_id": CONVERSATION, "message": "and some text"}),
        json!({"conversation_id": CONVERSATION, "image": broken}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let run = || {
        assert_cmd::Command::from_std(against(&server))
            .args(["send", "-o", "json", "--batch"])
            .arg(&file)
            .arg("--journal")
            .arg(&journal)
            .output()
            .unwrap()
    };
    let output = run();
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    assert_no_secret(&output, &[UPLOAD_TOKEN, ACCESS_TOKEN, API_KEY]);
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (summary["sent"].as_u64(), summary["invalid"].as_u64()),
        (Some(2), Some(1))
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3: image:") && stderr.contains("is not an image"),
        "{stderr}"
    );
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths.iter().filter(|p| p.starts_with("/upload/")).count(),
        1,
        "{paths:?}"
    );
    let sent: Vec<Value> = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .map(Recorded::json)
        .collect();
    assert!(
        sent.contains(&json!({"media_token": MEDIA_TOKEN})),
        "{sent:?}"
    );

    // Run again: nothing is uploaded or sent twice.
    let before = server.requests().len();
    run();
    assert_eq!(server.requests().len(), before);

    // An edited file is a new message: uploaded and sent again.
    let mut edited = png();
    edited.push(1);
    std::fs::write(&image, edited).unwrap();
    run();
    let after: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        after,
        [
            TOKEN_PATH.to_owned(),
            "/upload/image".to_owned(),
            format!("/v2/open-platform/conversations/{CONVERSATION}/messages")
        ]
    );
}

#[test]
fn a_batch_line_whose_upload_fails_counts_as_failed_and_sends_nothing() {
    let server = TestServer::start(|_, request| {
        if request.path == TOKEN_PATH {
            Reply::json(
                403,
                r#"{"code":7,"message":"CHAT_UPLOAD_MEDIA not granted"}"#,
            )
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    let file = dir.path().join("batch.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n",
            json!({"conversation_id": CONVERSATION, "image": image})
        ),
    )
    .unwrap();
    let output = assert_cmd::Command::from_std(against(&server))
        .args(["send", "-o", "json", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["failed"]["refused"], 1);
    assert_eq!(summary["in_doubt"], 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("CHAT_UPLOAD_MEDIA not granted (asking for an upload token; nothing was sent to the conversation)"), "{stderr}");
    assert_eq!(server.only_request().path, TOKEN_PATH);
}

#[test]
fn a_batch_line_whose_send_fails_after_its_upload_says_its_media_token() {
    let server = divar(|| Reply::json(400, &format!(r#"{{"message":"no, {UPLOAD_TOKEN}"}}"#)));
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    let file = dir.path().join("batch.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n",
            json!({"conversation_id": CONVERSATION, "image": image})
        ),
    )
    .unwrap();
    let output = assert_cmd::Command::from_std(against(&server))
        .args(["send", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    assert_no_secret(&output, &[UPLOAD_TOKEN, ACCESS_TOKEN]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "the file was uploaded as media token {MEDIA_TOKEN}: send the message again with --media-token {MEDIA_TOKEN}"
        )),
        "{stderr}"
    );
}

#[test]
fn a_file_changed_after_its_check_is_not_uploaded() {
    let dir = tempfile::tempdir().unwrap();
    let image = write(dir.path(), "a.png", &png());
    for replacement in [
        // The same size, other bytes.
        {
            let mut other = png();
            let last = other.len() - 1;
            other[last] ^= 0xff;
            other
        },
        // Grown: the checked length would cut the form's closing boundary off.
        [png(), b"MZ and more".to_vec()].concat(),
        // Shrunk.
        png()[..1000].to_vec(),
    ] {
        std::fs::write(&image, png()).unwrap();
        let (asked, wait_asked) = std::sync::mpsc::channel();
        let (rewritten, wait_rewritten) = std::sync::mpsc::channel::<()>();
        let (asked, wait_rewritten) = (Mutex::new(asked), Mutex::new(wait_rewritten));
        let server = TestServer::start(move |_, request| {
            if request.path == TOKEN_PATH {
                // The file is rewritten while the token is asked for.
                let _ = asked.lock().unwrap().send(());
                let _ = wait_rewritten
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(30));
                Reply::json(200, &format!(r#"{{"token":"{UPLOAD_TOKEN}"}}"#))
            } else if request.path.starts_with("/upload/") {
                Reply::json(200, &format!(r#"{{"id":"{MEDIA_TOKEN}"}}"#))
            } else {
                Reply::success()
            }
        });
        let child = against(&server)
            .args([
                "send",
                "--conversation-id",
                CONVERSATION,
                "--retries",
                "0",
                "--image",
            ])
            .arg(&image)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        wait_asked.recv_timeout(Duration::from_secs(30)).unwrap();
        std::fs::write(&image, &replacement).unwrap();
        rewritten.send(()).unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(5), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("the file changed since it was checked"),
            "{stderr}"
        );
        assert!(!stderr.contains("body error"), "{stderr}");
        assert!(
            stderr.contains("nothing was sent to the conversation"),
            "{stderr}"
        );
        let requests = server.requests();
        assert!(
            requests.iter().all(|r| !r.path.ends_with("/messages")),
            "{requests:#?}"
        );
        // Whatever reached the upload host is not a whole form of other bytes.
        for upload in requests.iter().filter(|r| r.path.starts_with("/upload/")) {
            let content_type = upload.header("content-type").unwrap();
            let boundary = content_type.trim_start_matches("multipart/form-data; boundary=");
            assert!(
                !upload
                    .body
                    .ends_with(format!("--{boundary}--\r\n").as_bytes()),
                "a whole form was uploaded"
            );
        }
    }
}
